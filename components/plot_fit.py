"""Plots that fit a phone: the page script that rearranges a plotly figure for a narrow page.

Plotly never wraps text, and the server does not know how wide the page is: on a 390-px phone a
long figure title ran off the right edge, and a row of 3–8 panels (``components.plots.grid``)
left each ~75–130 px, their titles running into each other and axis titles sitting on the
neighbouring panel. ``SCRIPT`` (loaded once for the whole page, ``HEAD``) watches every plotly
plot on the page and, each time one is drawn or resized:

- wraps a title (and subtitle) wider than the figure into lines, at spaces and after Chinese
  punctuation ("：", "，", …), hanging it from the figure's top edge and giving the top margin
  (and the figure) the height the extra lines take;
- reflows a figure whose ``layout.meta.grid`` (``plots.grid`` / ``plots.fit_meta``) has a row
  of panels narrower than its ``min_px`` into as many columns as keep them at least that wide
  (often one on a phone): each panel's axis domains and title annotation move, a colour bar
  follows its panel, a legend below the plot keeps its distance in pixels, and the figure grows
  so that every panel keeps the height in pixels it had (or, for pictures, ``aspect``, as much as
  their new width asks for); a panel title wider than its panel is wrapped to it;
- shortens a figure of one picture whose ``layout.meta.aspect`` (the plot area's height / width,
  ``plots.with_meta``) asks for less height than the server gave it at the page's width, so that
  a square picture on a phone does not sit in blank space;
- labels every k-th tick of an axis named in ``layout.meta.thin`` (array ticks: ``tickvals`` and
  ``ticktext``), k the smallest that keeps its labels apart at the axis's drawn scale (the
  diffusion time grid's ten step labels on a phone's ~25-px columns);
- puts the figure back as the server drew it once the plot is wide again (a phone turned
  sideways, a wider window).

Each figure the server sends is the "original": the script remembers it when it is first drawn
and recomputes the arrangement from it, so a relayout never feeds on its own output; it applies
only the values that differ from the plot's, so a redraw of an arranged plot changes nothing
(no relayout loop). A live run's next frame, sent to a plot already fitted, is fitted before
plotly draws it (``Plotly.react`` is wrapped), so it does not flash as the server drew it. The
script also redraws a plot whose box changed width (plotly follows only the window's). At
1280×720 every lab's panels are wide enough and nothing changes.
"""

from __future__ import annotations

SCRIPT = r"""
(() => {
  if (window.plotFit) return;
  window.plotFit = true;
  const LINE = 1.3;        // plotly's line height, in font sizes
  const REF_PX = 1000;     // a grid's hspace is kept, when reflowed, in pixels as on a plot this wide
  const TOP_PAD = 8;       // a wrapped title hangs this far below the figure's top edge
  const BREAK_AFTER = " \u3000：，、；。）";
  const ruler = document.createElement("canvas").getContext("2d");
  const plain = (s) => String(s).replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  const textWidth = (text, font) => {
    ruler.font = `${font.size}px ${font.family}`;
    return ruler.measureText(plain(text)).width;
  };
  const lineCount = (text) => (text ? String(text).split(/<br\s*\/?>/i).length : 0);
  // a line in pieces, each ending where it may break: after a space or a Chinese punctuation mark,
  // before "（"; never inside a tag such as <b> or <span style="…">
  const pieces = (line) => {
    const out = [], chars = [...line];
    let current = "", inTag = false;
    chars.forEach((ch, i) => {
      if (ch === "<") inTag = true;
      if (!inTag && ch === "（" && current) { out.push(current); current = ""; }
      current += ch;
      if (ch === ">") inTag = false;
      const next = chars[i + 1];
      if (!inTag && BREAK_AFTER.includes(ch) && (next === undefined || !BREAK_AFTER.includes(next))) {
        out.push(current); current = "";
      }
    });
    if (current) out.push(current);
    return out;
  };
  const wrap = (text, font, room) => String(text).split(/<br\s*\/?>/i).flatMap((line) => {
    if (textWidth(line, font) <= room) return [line];
    const lines = [];
    let current = "", strong = 0;   // strong: where the line may end after ", ", "：", …
    // a Chinese run too long for a line breaks between its characters
    const cjk = /[\u3040-\u9fff\uac00-\ud7af\uff00-\uffef]/;
    const parts = pieces(line).flatMap((p) => (textWidth(p, font) > room && cjk.test(p) && !p.includes("<") ? [...p] : [p]));
    for (const piece of parts) {
      if (current.trim() && textWidth((current + piece).trimEnd(), font) > room) {
        // rather after a comma or colon than a word or two before the end
        const cut = strong && textWidth(current.slice(0, strong), font) >= 0.6 * room ? strong : current.length;
        lines.push(current.slice(0, cut).trimEnd());
        current = (current.slice(cut) + piece).trimStart();
        strong = 0;
      } else current += piece;
      if (/[,;:]\s$|[：，；、]$/.test(current)) strong = current.length;
    }
    if (current.trim()) lines.push(current.trimEnd());
    return lines;
  }).join("<br>");
  const axisKeys = (n) => (n ? [`xaxis${n + 1}`, `yaxis${n + 1}`] : ["xaxis", "yaxis"]);
  const cellOfTrace = (trace) => {
    const ref = trace.xaxis || "x";
    return ref === "x" ? 0 : Number(ref.slice(1)) - 1;
  };

  // what the script needs of a figure as the server sent it: its layout L and traces, and the
  // margins (size: l, r, t, b and the plot's height h) of its plot as drawn at width W
  const BAR_TYPES = ["heatmap", "contour", "histogram2d", "histogram2dcontour"];
  const capture = (L, data, size, W) => {
    const title = L.title && typeof L.title === "object" ? L.title : (L.title ? { text: L.title } : {});
    const o = {
      layout: L, height: L.height, t: size.t, b: size.b, l: size.l, r: size.r, h: size.h,
      marginT: size.marginT !== undefined ? size.marginT : (L.margin && L.margin.t !== undefined ? L.margin.t : size.t),
      title: { text: title.text, sub: title.subtitle && title.subtitle.text, y: title.y, yref: title.yref,
               yanchor: title.yanchor },
      tries: 0, width: W, autosize: L.autosize, layoutWidth: L.width, signature: signature(L),
      aspect: L.meta && L.meta.aspect,
      // the axes whose array ticks are thinned to every k-th label when they run into each other
      thin: ((L.meta && L.meta.thin) || []).filter((key) => L[key] && Array.isArray(L[key].tickvals)
        && Array.isArray(L[key].ticktext)).map((key) => ({ key, vals: L[key].tickvals.slice(), text: L[key].ticktext.slice() })),
    };
    const g = L.meta && L.meta.grid;
    if (g && g.cells && g.min_px > 0) {
      o.grid = g;
      o.cells = {};
      for (const n of g.cells.flat()) {
        const d = g.domains && g.domains[n];
        if (!d) { o.grid = null; break; }
        o.cells[n] = { x: [d[0], d[1]], y: [d[2], d[3]] };
      }
      o.notes = (L.annotations || []).map((a) => ({ x: a.x, y: a.y, text: a.text }));
      o.legendY = L.legend ? L.legend.y : undefined;
      o.bars = [];
      (data || []).forEach((trace, i) => {
        if (!o.cells || !BAR_TYPES.includes(trace.type) || trace.showscale === false || !o.cells[cellOfTrace(trace)]) return;
        const bar = trace.colorbar || {};   // plotly's defaults: centred, the plot's height
        o.bars.push({ i, n: cellOfTrace(trace), y: bar.y === undefined ? 0.5 : bar.y, len: bar.len === undefined ? 1 : bar.len });
      });
    }
    return o;
  };
  // what a live figure's next frame must share with the last for it to be fitted before it is drawn
  const signature = (L) => JSON.stringify([L.height, L.margin, L.meta && L.meta.grid, L.legend,
    L.title && typeof L.title === "object" ? [L.title.x, L.title.xanchor, L.title.xref, L.title.y, L.title.yref,
                                               L.title.yanchor, L.title.font] : null]);

  // columns per row at plot width W: a row whose narrowest panel is under min_px gets as many
  // columns as keep each at least min_px wide (at least one)
  const plan = (o, W) => {
    const g = o.grid, plotW = W - o.l - o.r, gap = g.hspace * REF_PX;
    return g.cells.map((row) => {
      const narrowest = Math.min(...row.map((n) => (o.cells[n].x[1] - o.cells[n].x[0]) * plotW));
      if (narrowest >= g.min_px) return row.length;
      let k = row.length - 1;
      while (k > 1 && (plotW - (k - 1) * gap) / k < g.min_px) k--;
      return Math.max(1, k);
    });
  };

  // the layout values (and colour bars) of the grid at plot width W: the original where every
  // row keeps its columns and every panel title fits its panel, else the rows stacked as planned,
  // the panel titles wrapped to their panels' width. Returns the figure's new height.
  const arrange = (gd, o, W, want, bars) => {
    const g = o.grid, ks = plan(o, W), F = gd._fullLayout;
    const noteFont = (a) => {
      const full = F.annotations && F.annotations[a] && F.annotations[a].font;
      return { size: (full && full.size) || 13, family: (full && full.family) || F.font.family };
    };
    const plotW = W - o.l - o.r, gx = Math.min(g.hspace * REF_PX / plotW, 0.3);
    const texts = {};   // each panel title's text at its panel's new width
    let wrapped = false;
    g.cells.forEach((row, r) => {
      const k = ks[r], width = (1 - (k - 1) * gx) / k;
      row.forEach((n) => {
        const a = g.titles[n];
        if (a === null || a === undefined || !o.notes[a]) return;
        const cellPx = (k < row.length ? width : o.cells[n].x[1] - o.cells[n].x[0]) * plotW;
        texts[n] = Number.isFinite(cellPx) ? wrap(o.notes[a].text, noteFont(a), cellPx + 8) : o.notes[a].text;
        wrapped = wrapped || texts[n] !== o.notes[a].text;
      });
    });
    if (!wrapped && ks.every((k, r) => k === g.cells[r].length)) {
      for (const [n, cell] of Object.entries(o.cells)) {
        const [xk, yk] = axisKeys(Number(n));
        want[`${xk}.domain`] = cell.x;
        want[`${yk}.domain`] = cell.y;
      }
      g.titles.forEach((a, n) => {
        if (a !== null && a !== undefined && o.notes[a]) {
          want[`annotations[${a}].x`] = o.notes[a].x;
          want[`annotations[${a}].y`] = o.notes[a].y;
          want[`annotations[${a}].text`] = o.notes[a].text;
        }
      });
      if (o.legendY !== undefined) want["legend.y"] = o.legendY;
      o.bars.forEach((bar) => bars.push([bar.i, bar.y, bar.len]));
      return o.height;
    }
    const h0 = o.h;
    const bands = g.cells.map((row) => ({
      top: Math.max(...row.map((n) => o.cells[n].y[1])), bottom: Math.min(...row.map((n) => o.cells[n].y[0])),
    }));
    let rowGap = 0;
    for (let r = 1; r < bands.length; r++) rowGap = Math.max(rowGap, (bands[r - 1].bottom - bands[r].top) * h0);
    // a row's panel titles: the pixels they take, and those their wrapped lines add
    const titlePx = (row, text) => Math.max(0, ...row.map((n) => {
      const a = g.titles[n];
      return a === null || a === undefined || !o.notes[a] ? 0 : lineCount(text(n, a)) * noteFont(a).size * LINE + 6;
    }));
    const addedPx = (row) => titlePx(row, (n) => texts[n]) - titlePx(row, (n, a) => o.notes[a].text);
    const placed = {};
    let cursor = (1 - bands[0].top) * h0 + addedPx(g.cells[0]);
    g.cells.forEach((row, r) => {
      const band = bands[r], k = ks[r], reflow = k < row.length;
      if (r) cursor += (bands[r - 1].bottom - band.top) * h0 + addedPx(row);
      const width = (1 - (k - 1) * gx) / k;
      // a row keeps its height in pixels, or, panels of a given aspect (pictures), no more than
      // their new width asks for
      const scale = reflow && g.aspect ? Math.min(1, width * plotW * g.aspect / ((band.top - band.bottom) * h0)) : 1;
      const bandPx = (band.top - band.bottom) * h0 * scale;
      // between the stacked rows: what the figure keeps below its plot (tick labels, axis
      // title), the panel titles' lines, or the gap between its own rows if larger
      const subGap = Math.max(rowGap + addedPx(row), o.b + titlePx(row, (n) => texts[n]));
      row.forEach((n, i) => {
        const s = Math.floor(i / k), c = i % k, cell = o.cells[n];
        const x = reflow ? [c * (width + gx), c * (width + gx) + width] : cell.x;
        const top = cursor + s * (bandPx + subGap) + (band.top - cell.y[1]) * h0 * scale;
        placed[n] = { x, top, bottom: top + (cell.y[1] - cell.y[0]) * h0 * scale };
      });
      const stacked = Math.ceil(row.length / k);
      cursor += stacked * bandPx + (stacked - 1) * subGap;
    });
    cursor += bands[bands.length - 1].bottom * h0;
    const h1 = cursor, paper = (px) => Math.min(1, Math.max(0, 1 - px / h1));
    for (const [n, p] of Object.entries(placed)) {
      const [xk, yk] = axisKeys(Number(n));
      want[`${xk}.domain`] = [Math.max(0, p.x[0]), Math.min(1, p.x[1])];
      want[`${yk}.domain`] = [paper(p.bottom), paper(p.top)];
    }
    g.titles.forEach((a, n) => {
      if (a === null || a === undefined || !o.notes[a] || !placed[n]) return;
      const cell = o.cells[n], p = placed[n], note = o.notes[a];
      const share = (note.x - cell.x[0]) / ((cell.x[1] - cell.x[0]) || 1);
      want[`annotations[${a}].x`] = p.x[0] + share * (p.x[1] - p.x[0]);
      want[`annotations[${a}].y`] = 1 - (p.top + (cell.y[1] - note.y) * h0) / h1;
      want[`annotations[${a}].text`] = texts[n];
    });
    if (o.legendY !== undefined && o.legendY !== null && (o.legendY < 0 || o.legendY > 1)) {
      want["legend.y"] = o.legendY < 0 ? o.legendY * h0 / h1 : 1 + (o.legendY - 1) * h0 / h1;
    }
    o.bars.forEach((bar) => {
      const p = placed[bar.n];
      if (!p) return;
      bars.push([bar.i, 1 - (p.top + p.bottom) / 2 / h1, Math.min(bar.len * h0, p.bottom - p.top) / h1]);
    });
    return o.height - h0 + h1;
  };

  // the title and subtitle wrapped to width W; returns the pixels their extra lines take
  const fitTitle = (gd, o, W, want, original) => {
    const T = o.title, F = gd._fullLayout;
    if (!T.text) return 0;
    const font = F.title.font, subFont = (F.title.subtitle && F.title.subtitle.font) || font;
    const left = F.title.xref === "paper" ? o.l + F.title.x * (W - o.l - o.r) : F.title.x * W;
    const anchor = F.title.xanchor === "auto" ? (F.title.x < 1 / 3 ? "left" : F.title.x > 2 / 3 ? "right" : "center")
      : F.title.xanchor;
    const room = original ? Infinity
      : (anchor === "left" ? W - left : anchor === "right" ? left : 2 * Math.min(left, W - left)) - 12;
    const text = wrap(T.text, font, room), sub = T.sub ? wrap(T.sub, subFont, room) : T.sub;
    const extra = (lineCount(text) - lineCount(T.text)) * font.size * LINE
      + (T.sub ? (lineCount(sub) - lineCount(T.sub)) * subFont.size * LINE : 0);
    want["title.text"] = text;
    if (T.sub) want["title.subtitle.text"] = sub;
    const added = (lineCount(text) - lineCount(T.text)) * font.size * LINE;
    const hung = T.yanchor === "top" && T.yref === "container" && typeof T.y === "number";
    if (added > 0) {
      // the title is hung from the figure's top edge; plotly stacks the lines of a title that
      // has a subtitle upwards from its anchor (the subtitle below it), those of one without
      // downwards: with a subtitle the anchor goes down as far as the added lines take
      const top = hung ? (1 - T.y) * o.height : TOP_PAD;
      want["title.yref"] = "container";
      want["title.yanchor"] = "top";
      want["title.y"] = null;   // set once the figure's height is known
      // (plotly hangs one without a subtitle by its first line's baseline box: 8 px more)
      o.titleTop = top + (!T.sub ? (hung ? 0 : TOP_PAD) : hung ? added : (lineCount(text) - 1) * font.size * LINE);
    } else {
      want["title.yref"] = T.yref;
      want["title.yanchor"] = T.yanchor;
      // a hung title stays as far below the top edge in pixels when the figure's height changes
      // (as a fraction of a shortened figure it stood above the figure)
      want["title.y"] = hung ? null : T.y;
      if (hung) o.titleTop = (1 - T.y) * o.height;
    }
    want["margin.t"] = o.marginT + extra;
    return extra;
  };

  // each axis of meta.thin labels every k-th of its ticks, k the smallest that keeps the labels
  // apart at the axis's drawn scale (side by side for an x axis, their lines for a y axis); all
  // of them where they fit, and as the server sent them when ``original``
  const TICK_GAP = 6;     // pixels between two neighbouring x labels
  const thinTicks = (gd, o, want, original) => o.thin.forEach(({ key, vals, text }) => {
    const axis = gd._fullLayout[key];
    let k = 1;
    if (!original && axis && axis._m && vals.length > 1) {
      const font = { size: (axis.tickfont && axis.tickfont.size) || 12,
                     family: (axis.tickfont && axis.tickfont.family) || gd._fullLayout.font.family };
      let step = Infinity;   // the nearest two ticks, in pixels
      for (let i = 1; i < vals.length; i++) step = Math.min(step, Math.abs(axis._m * (vals[i] - vals[i - 1])));
      const need = key.startsWith("x")
        ? Math.max(...text.map((t) => Math.max(...String(t).split(/<br\s*\/?>/i).map((line) => textWidth(line, font))))) + TICK_GAP
        : Math.max(...text.map(lineCount)) * font.size * LINE + 2;
      k = Math.max(1, Math.ceil(need / step - 1e-6));
    }
    const kept = vals.map((_, i) => i).filter((i) => i % k === 0);
    want[`${key}.tickvals`] = kept.map((i) => vals[i]);
    want[`${key}.ticktext`] = kept.map((i) => text[i]);
  });

  // every layout value the script sets, and the colour bars [trace, y, len], at width W; as
  // the server drew the figure when ``original``
  const compute = (gd, o, W, original) => {
    const want = {}, bars = [];
    let height = o.grid ? arrange(gd, o, original ? Infinity : W, want, bars) : o.height;
    // one picture of a fixed aspect: no taller than the page's width lets it be
    if (!o.grid && o.aspect > 0 && !original) height -= Math.max(0, o.h - (W - o.l - o.r) * o.aspect);
    height += fitTitle(gd, o, W, want, original);
    thinTicks(gd, o, want, original);
    want.height = Math.round(height);
    // plotly fixes a plot's width where a relayout sets its height, unless told to keep both
    want.autosize = o.autosize;
    want.width = o.layoutWidth;
    if (want["title.y"] === null) want["title.y"] = 1 - o.titleTop / want.height;
    return { want, bars };
  };
  const same = (a, b) => {
    if (a === undefined || a === null) return b === undefined || b === null;
    if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
    if (typeof a === "object") {
      return typeof b === "object" && b !== null && Object.keys({ ...a, ...b }).every((k) => same(a[k], b[k]));
    }
    if (typeof a === "number") return typeof b === "number" && Math.abs(a - b) < 1e-4;
    return a === b;
  };

  const check = (gd, drawn) => {
    const F = gd._fullLayout;
    if (!window.Plotly || !F || !gd.layout || !gd.offsetWidth) return;
    if (gd._fitBusy) { gd._fitAgain = true; return; }
    let o = gd._fit;
    if (!o || o.layout !== gd.layout) {
      if (!drawn) return;     // a new figure: remembered once it is drawn
      const size = F._size;
      o = gd._fit = capture(gd.layout, gd.data, { l: size.l, r: size.r, t: size.t, b: size.b, h: size.h,
                                                  marginT: F.margin.t }, F.width);
      if (o.height === undefined) o.height = F.height;
      o.applied = compute(gd, o, F.width, true);
    }
    const W = F.width;
    if (W !== o.width) { o.width = W; o.tries = 0; }
    const next = compute(gd, o, W, false);
    // compared with what was last set, not with the plot's layout: plotly narrows a constrained
    // axis's domain in it, and the page's other scripts set its ticks
    // (a resize drops the layout's height and sizes the plot to its box: the height is checked too)
    if ((same(next, o.applied) && Math.abs(F.height - next.want.height) <= 1) || o.tries > 3) return;
    o.tries += 1;
    o.applied = next;
    const update = {};
    for (const [key, value] of Object.entries(next.want)) update[key] = value === undefined ? null : value;
    gd._fitBusy = true;
    const done = () => {
      gd._fitBusy = false;
      if (gd._fitAgain) { gd._fitAgain = false; check(gd, false); }
    };
    const bars = next.bars;
    const traces = bars.length ? { "colorbar.y": bars.map((c) => c[1]), "colorbar.len": bars.map((c) => c[2]) } : {};
    window.Plotly.update(gd, traces, update, bars.length ? bars.map((c) => c[0]) : undefined).then(done, done);
  };

  // A figure sent to a plot already fitted once (a live run's next frame) is fitted before it
  // is drawn, with the margins measured on the last one, so that it does not flash as the server
  // drew it 2–10 times a second; any other figure is drawn as sent, then fitted.
  const setPath = (object, path, value) => {
    const keys = path.replace(/\[(\d+)\]/g, ".$1").split(".");
    let at = object;
    keys.slice(0, -1).forEach((key) => {
      if (at[key] === null || typeof at[key] !== "object") at[key] = {};
      at = at[key];
    });
    const last = keys[keys.length - 1];
    if (value === null || value === undefined) delete at[last]; else at[last] = value;
  };
  const prefit = (gd, data, layout) => {
    const o = gd && gd._fit, F = gd && gd._fullLayout;
    if (!o || !F || !Array.isArray(data) || !layout || !layout.height || gd._fitBusy || !gd.offsetWidth) return;
    if (Math.abs(F.width - gd.offsetWidth) > 1 || signature(layout) !== o.signature) return;
    const next = capture(layout, data, { l: o.l, r: o.r, t: o.t, b: o.b, h: layout.height - o.t - o.b,
                                         marginT: o.marginT }, F.width);
    next.applied = compute(gd, next, F.width, false);
    for (const [key, value] of Object.entries(next.applied.want)) setPath(layout, key, value);
    next.applied.bars.forEach(([i, y, len]) => { data[i].colorbar = { ...(data[i].colorbar || {}), y, len }; });
    gd._fit = next;
  };
  const patch = () => {
    const P = window.Plotly;
    if (!P || P.plotFitReact) return;
    const react = P.react;
    P.plotFitReact = react;
    P.react = function (gd, data, layout, ...rest) {
      try { prefit(gd, data, layout); } catch (error) { /* drawn as sent, then fitted */ }
      return react.call(this, gd, data, layout, ...rest);
    };
  };

  const hook = (gd) => {
    if (gd._fitHooked || !gd.on) return;
    gd._fitHooked = true;
    gd.on("plotly_afterplot", () => check(gd, true));
    // a plot whose box changed width (a phone turned, a window resized, a tab shown) is redrawn
    // at its new width (plotly's own resize follows the window only, and not always), then fitted
    new ResizeObserver(() => {
      const full = gd._fullLayout;
      if (gd.offsetWidth && full && window.Plotly && Math.abs(full.width - gd.offsetWidth) > 1) {
        window.Plotly.Plots.resize(gd);
      } else check(gd, false);
    }).observe(gd);
    if (gd._fullLayout && gd._fullLayout._size) check(gd, true);
  };
  const scan = () => {
    patch();
    document.querySelectorAll(".js-plotly-plot").forEach(hook);
  };
  const start = () => {
    new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
    scan();
  };
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
"""

HEAD = f"<script>{SCRIPT}</script>"
