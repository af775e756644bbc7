"""Plotly figures (plain dicts) and pictures for the text-to-image lab. No gradio here.

The bundled model's images are 32×32: each is upscaled by whole pixels (nearest neighbour) before
it goes into a figure, so a model pixel stays a crisp square and a scene is drawn at 128 px or more.
A hub model's 256×256 images go in at most at their own size (``upscale``'s ``largest``).
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from components.i18n import translate
from components.plots import base_layout, figure, fit_meta, with_meta
from demos.text2image import core, judge, scenes

LATENT_COLOURS = "RdBu"          # latents and noise: signed, 0 in white
ATTENTION_COLOURS = "Inferno"
ATTENTION_GRID = 64              # a word's map is drawn on at most this many cells a side (a hub image is 256 px)
KIND_COLOURS = {"colour": "#d62728", "shape": "#1f77b4", "size": "#2ca02c", "position": "#9467bd",
                "filler": "#7f7f7f"}
RIGHT, WRONG = (40, 160, 60), (215, 40, 40)
GUTTER = 255


def png_uri(picture: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def upscale(picture: np.ndarray, factor: int, largest: int = 256) -> np.ndarray:
    """(H, W, 3) uint8 -> (H·factor, W·factor, 3), nearest neighbour; a picture that would come
    out wider than ``largest`` pixels (a hub model's image) is reduced to that width instead (box
    filter), so that a figure stays light."""
    height, width = picture.shape[:2]
    if width * factor <= largest:
        return picture.repeat(factor, 0).repeat(factor, 1)
    reduced = Image.fromarray(picture).resize((largest, max(1, round(height * largest / width))), Image.Resampling.BOX)
    return np.asarray(reduced)


def as_uint8(image: np.ndarray) -> np.ndarray:
    return image if image.dtype == np.uint8 else core.to_uint8(np.clip(image, 0, 1))


def _axes(n: int) -> tuple[str, str, str, str]:
    suffix = "" if n == 0 else str(n + 1)
    return f"x{suffix}", f"y{suffix}", f"xaxis{suffix}", f"yaxis{suffix}"


def _panel(layout: dict, n: int, x: tuple, y: tuple, width: float, height: float, title: str | None = None,
           title_size: int = 13) -> tuple[str, str]:
    """Subplot n at paper domain x × y showing a picture of width × height units (square pixels,
    y downwards); its title above it."""
    x_ref, y_ref, x_key, y_key = _axes(n)
    layout[x_key] = {"domain": list(x), "anchor": y_ref, "range": [0, width], "visible": False,
                     "constrain": "domain"}
    layout[y_key] = {"domain": list(y), "anchor": x_ref, "range": [height, 0], "visible": False,
                     "scaleanchor": x_ref, "constrain": "domain"}
    if title:
        layout.setdefault("annotations", []).append({
            "text": title, "x": (x[0] + x[1]) / 2, "y": y[1], "xref": "paper", "yref": "paper", "xanchor": "center",
            "yanchor": "bottom", "showarrow": False, "font": {"size": title_size}})
    return x_ref, y_ref


def _fit_rows(layout: dict, rows: list[list[int]], min_px: float = 110, gap: float = 0.02) -> dict:
    """Let the page reflow these rows of square pictures (subplot numbers, left to right) into
    fewer columns on a phone, each at least ``min_px`` wide (``components.plot_fit``); each
    panel's title is the annotation whose x is its centre and y its top."""
    notes = layout.get("annotations", [])
    titles = []
    for n in range(max(n for row in rows for n in row) + 1):
        _, _, x_key, y_key = _axes(n)
        x, y = layout[x_key]["domain"], layout[y_key]["domain"]
        titles.append(next((i for i, a in enumerate(notes) if a.get("xref") == "paper"
                            and abs(a["x"] - (x[0] + x[1]) / 2) < 1e-6 and abs(a["y"] - y[1]) < 1e-6), None))
    return with_meta(layout, grid=fit_meta(layout, rows, titles, gap, min_px, aspect=1))


def _picture(picture: np.ndarray, x_ref: str, y_ref: str, size: float, hover: bool = False) -> dict:
    """An image trace covering [0, size]² of its axes, from an already upscaled picture."""
    step = size / picture.shape[1]
    trace = {"type": "image", "source": png_uri(picture), "x0": 0, "y0": 0, "dx": step, "dy": step,
             "xaxis": x_ref, "yaxis": y_ref}
    return trace | ({} if hover else {"hoverinfo": "skip"})


def _mosaic(channels: np.ndarray) -> np.ndarray:
    """(4, h, w) -> (2h + 1, 2w + 1): the four channels in a 2×2 block, a NaN gap between."""
    c, h, w = channels.shape
    out = np.full((2 * h + 1, 2 * w + 1), np.nan, np.float32)
    for i in range(c):
        r, k = divmod(i, 2)
        out[r * (h + 1):r * (h + 1) + h, k * (w + 1):k * (w + 1) + w] = channels[i]
    return out


def _latent_heatmap(channels: np.ndarray, x_ref: str, y_ref: str, limit: float, name: str,
                    show_scale: bool = False) -> dict:
    mosaic = _mosaic(channels)
    n = mosaic.shape[0]
    return {"type": "heatmap", "z": mosaic, "x0": 0.5, "dx": 1, "y0": 0.5, "dy": 1, "zmin": -limit, "zmax": limit,
            "colorscale": LATENT_COLOURS, "showscale": show_scale, "xaxis": x_ref, "yaxis": y_ref, "name": name,
            "hovertemplate": f"{name}<br>%{{z:.2f}}<extra></extra>", "xgap": 0, "ygap": 0,
            **({"colorbar": {"len": 0.5, "thickness": 12, "y": 0.78}} if show_scale else {}),
            "meta": {"size": n}}


def _split_at_colon(text: str, keep: bool = False) -> tuple[str, str]:
    """("Step 3 of 25 (t = …)", "what the model expects …"): a text in two at its first colon
    (":" or the full-width "："), which goes unless ``keep``; ("text", "") without one."""
    cut = min((n for n in (text.find(": "), text.find("：")) if n >= 0), default=-1)
    return (text[:cut + keep].rstrip(), text[cut + 1:].strip()) if cut >= 0 else (text, "")


def _two_lines(text: str) -> str:
    """A panel title as two lines, broken nearest its middle at a space (not one beside "=") or
    before an opening bracket."""
    cuts = [(n, n + 1) for n, char in enumerate(text) if char == " " and "=" not in text[max(0, n - 1):n + 2]]
    cuts += [(n, n) for n, char in enumerate(text) if char in "（" and n > 0]
    if not cuts:
        return text
    end, start = min(cuts, key=lambda cut: abs(cut[0] - len(text) / 2))
    return f"{text[:end]}<br>{text[start:]}"


def _latent_panel(layout, n, x, y, channels, limit, title, name, show_scale=False) -> dict:
    side = 2 * channels.shape[-1] + 1
    x_ref, y_ref = _panel(layout, n, x, y, side, side, title)
    return _latent_heatmap(channels, x_ref, y_ref, limit, name, show_scale)


def _strip(images: np.ndarray, factor: int, gap: int = 2) -> np.ndarray:
    """(K, H, W, 3) uint8 -> one row picture, a white gap between tiles."""
    tiles = [upscale(im, factor, largest=32 * factor) for im in images]
    h = tiles[0].shape[0]
    out = np.full((h, len(tiles) * (tiles[0].shape[1] + gap) - gap, 3), GUTTER, np.uint8)
    for i, tile in enumerate(tiles):
        x = i * (tile.shape[1] + gap)
        out[:, x:x + tile.shape[1]] = tile
    return out


def strip_steps(steps: int, columns: int) -> list[int]:
    """``columns`` evenly spaced steps from 1 to ``steps`` (1-based), always the first and the last."""
    return sorted({int(round(v)) for v in np.linspace(1, steps, min(columns, steps))})


# ---------------------------------------------------------------------------------------------
# denoising


def denoise_figure(record: core.Record, step: int, lang: str) -> dict:
    """x̂0 decoded at ``step`` (big), the four latent channels of z_t after it, and x̂0 at evenly
    spaced steps below (where the layout appears)."""
    i = step - 1
    t, after = record.timesteps[i], (record.timesteps[i + 1] if step < record.steps else 0)
    # On a phone (390 px) the figure is ~330 px wide and plotly never wraps text: the title is the
    # step in one line with what it shows as a subtitle, and the panel titles and the strip's
    # caption take two lines each, so none runs past the figure's edge or into its neighbour.
    title, subtitle = _split_at_colon(translate("t2i_denoise_title", lang, step=step, total=record.steps, t=t,
                                                after=after))
    layout = base_layout(title, 545, margin={"l": 10, "r": 10, "t": 105, "b": 55})
    layout["title"] |= {"subtitle": {"text": subtitle}, "y": 1, "yref": "container", "yanchor": "top",
                        "pad": {"t": 10}}
    size = record.image.shape[0]
    x_ref, y_ref = _panel(layout, 0, (0.0, 0.46), (0.32, 1.0), size, size, _two_lines(translate("t2i_x0", lang)))
    data = [_picture(upscale(record.pred_images[i], 8), x_ref, y_ref, size)]
    limit = max(3.0, float(np.abs(record.latents).max()))
    data.append(_latent_panel(layout, 1, (0.54, 1.0), (0.32, 1.0), record.latents[step], limit,
                              _two_lines(translate("t2i_latent", lang, t=after)), "z", show_scale=True))
    shown = strip_steps(record.steps, 8)
    picture = _strip(record.pred_images[[s - 1 for s in shown]], 4)
    x_ref, y_ref, x_key, y_key = _axes(2)
    height, width = picture.shape[:2]
    layout[x_key] = {"domain": [0.0, 1.0], "anchor": y_ref, "range": [0, width], "showgrid": False,
                     "zeroline": False, "tickvals": [(k + 0.5) * (width + 2) / len(shown) - 1 for k in range(len(shown))],
                     "ticktext": [str(s) for s in shown], "ticks": "",
                     "title": {"text": "<br>".join(_split_at_colon(translate("t2i_strip_axis", lang), keep=True)),
                               "standoff": 4}}
    layout[y_key] = {"domain": [0.0, 0.2], "anchor": x_ref, "range": [height, 0], "visible": False,
                     "scaleanchor": x_ref}
    data.append({"type": "image", "source": png_uri(picture), "xaxis": x_ref, "yaxis": y_ref, "hoverinfo": "skip"})
    marker = shown.index(step) if step in shown else None
    if marker is not None:
        tile = width / len(shown)
        layout["shapes"] = [{"type": "rect", "xref": x_ref, "yref": y_ref, "x0": marker * tile, "x1": (marker + 1) * tile - 2,
                             "y0": 0, "y1": height, "line": {"color": "#ff7f0e", "width": 3}}]
    return figure(data, layout)


def gif_frames(record: core.Record) -> list[np.ndarray]:
    """One frame per step: x̂0 (6×) beside z_t's channels in grey (3×, a 2×2 block)."""
    frames = []
    limit = max(3.0, float(np.abs(record.latents).max()))
    for i in range(record.steps):
        left = upscale(record.pred_images[i], 6)
        mosaic = np.nan_to_num(_mosaic(record.latents[i + 1]), nan=limit)
        grey = ((np.clip(mosaic, -limit, limit) / limit + 1) * 127.5).astype(np.uint8)
        right = upscale(np.repeat(grey[..., None], 3, axis=2), 6)
        height = max(left.shape[0], right.shape[0])
        left, right = (np.pad(p, ((0, height - p.shape[0]), (0, 0), (0, 0)), constant_values=GUTTER) for p in (left, right))
        frames.append(np.concatenate([left, np.full((left.shape[0], 12, 3), GUTTER, np.uint8), right], axis=1))
    return frames


def gif_bytes(record: core.Record, frame_ms: int = 100) -> bytes:
    frames = [Image.fromarray(f) for f in gif_frames(record)]
    buffer = io.BytesIO()
    durations = [frame_ms] * (len(frames) - 1) + [1500]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# cross-attention


def attention_figure(record: core.Record, step: int, layer: str, lang: str, columns: int = 6) -> dict:
    """Each token's cross-attention map over the image (normalised to its own maximum) on the
    final image, at one step or summed over all steps, one layer or all averaged."""
    size = record.image.shape[0]
    grid = min(size, ATTENTION_GRID)
    maps = core.attention_maps(record, step, layer, grid)                    # (T, grid, grid)
    shares = core.attention_shares(record, step, layer)
    labels = record.prompt.labels
    count = len(labels)
    cols = min(columns, count)
    rows = -(-count // cols)
    when = translate("t2i_attn_all_steps", lang) if step == 0 else translate("t2i_attn_step", lang, step=step,
                                                                               total=record.steps)
    where = translate("t2i_layer_mean", lang) if layer == "mean" else core.layer_label(layer, record.attention[layer].shape[1])
    padding = f"{max(0.0, 1 - float(shares[:count].sum())):.0%}"
    layout = base_layout(translate("t2i_attn_title", lang, when=when, layer=where, padding=padding), 90 + 150 * rows,
                         margin={"l": 10, "r": 10, "t": 70, "b": 10})
    grey = as_uint8(record.image).mean(axis=2, keepdims=True).repeat(3, axis=2).astype(np.uint8)
    background = upscale((grey * 0.6 + 100).astype(np.uint8), 4)
    hspace, vspace = 0.02, 0.28 / rows
    width = (1 - hspace * (cols - 1)) / cols
    height = (1 - vspace * (rows - 1)) / rows
    data = []
    for n, (label, heat, share) in enumerate(zip(labels, maps, shares)):
        r, c = divmod(n, cols)
        x0, y1 = c * (width + hspace), 1 - r * (height + vspace)
        title = f"{label}<br>{share:.0%}"
        x_ref, y_ref = _panel(layout, n, (round(x0, 6), round(x0 + width, 6)), (round(max(0.0, y1 - height), 6),
                                                                             round(y1, 6)), size, size, title, 12)
        data.append(_picture(background, x_ref, y_ref, size))
        peak = float(heat.max()) or 1.0
        cell = size / grid
        data.append({"type": "heatmap", "z": heat / peak, "x0": cell / 2, "dx": cell, "y0": cell / 2, "dy": cell, "zmin": 0,
                     "zmax": 1, "colorscale": ATTENTION_COLOURS, "opacity": 0.6, "showscale": False,
                     "zsmooth": "best", "xaxis": x_ref, "yaxis": y_ref, "name": label,
                     "hovertemplate": f"{label}: %{{z:.2f}}<extra></extra>"})
    # a map 100 px wide still shows where a word looks; three a row on a phone
    _fit_rows(layout, [list(range(r * cols, min(count, (r + 1) * cols))) for r in range(rows)], 100)
    return figure(data, layout)


# ---------------------------------------------------------------------------------------------
# guidance


def guidance_figure(parts: core.GuidanceParts, lang: str) -> dict:
    """ε_u, ε_c, ε_c − ε_u and ε̂ at one step (latent channels), and the x̂0 each implies."""
    layout = base_layout(translate("t2i_guidance_title", lang, step=parts.step, t=parts.timestep,
                                   s=f"{parts.guidance:g}"), 520, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    eps = [(parts.eps_uncond, "t2i_eps_u"), (parts.eps_cond, "t2i_eps_c"), (parts.direction, "t2i_eps_dir"),
           (parts.eps_guided, "t2i_eps_hat")]
    limit = max(2.0, float(max(np.abs(e).max() for e, _ in eps)))
    data = []
    width = 0.22
    for n, (values, key) in enumerate(eps):
        x0 = n * (width + 0.04)
        data.append(_latent_panel(layout, n, (round(x0, 6), round(x0 + width, 6)), (0.55, 0.95), values, limit,
                                  translate(key, lang), translate(key, lang), show_scale=n == 3))
    size = parts.images.shape[1]
    for k, key in enumerate(("t2i_x0_u", "t2i_x0_c", "t2i_x0_hat")):
        x0 = 0.06 + k * 0.32
        x_ref, y_ref = _panel(layout, 4 + k, (x0, x0 + 0.24), (0.0, 0.42), size, size, translate(key, lang))
        data.append(_picture(upscale(parts.images[k], 4), x_ref, y_ref, size))
    _fit_rows(layout, [[0, 1, 2, 3], [4, 5, 6]])
    return figure(data, layout)


def reading_text(reading: judge.Reading, lang: str) -> str:
    if reading.colour is None:
        return translate("t2i_read_nothing", lang)
    return translate("t2i_read", lang, size=translate(f"t2i_size_{reading.size}", lang),
                     colour=translate(f"t2i_colour_{reading.colour}", lang),
                     shape=translate(f"t2i_shape_{reading.shape}", lang),
                     position=translate(f"t2i_position_{reading.position}", lang))


def marks(reading: judge.Reading, wanted: dict) -> str:
    """"✓✓✗·": per attribute (colour, shape, size, position) right, wrong, or not asked."""
    agree = judge.agreement(reading, wanted)
    return "".join("·" if agree[a] is None else "✓" if agree[a] else "✗" for a in judge.ATTRIBUTES)


def images_row_figure(images: list[np.ndarray], titles: list[str], title: str, height: int = 300) -> dict:
    """Images side by side, each titled."""
    layout = base_layout(title, height, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    count = len(images)
    gap = 0.03
    width = (1 - gap * (count - 1)) / count
    data = []
    for n, (image, text) in enumerate(zip(images, titles)):
        x0 = n * (width + gap)
        size = image.shape[0]
        x_ref, y_ref = _panel(layout, n, (round(x0, 6), round(x0 + width, 6)), (0.0, 0.86), size, size, text)
        data.append(_picture(upscale(as_uint8(image), 4), x_ref, y_ref, size))
    _fit_rows(layout, [list(range(count))], 100)
    return figure(data, layout)


def sweep_figure(sweep: list[tuple[float, np.ndarray]], prompt: str, lang: str, judged: bool = True) -> dict:
    """The images at each guidance scale; ``judged`` (the shapes world): each marked by the judge."""
    if not judged:
        return images_row_figure([image for _, image in sweep], [f"s = {s:g}" for s, _ in sweep],
                                 translate("t2i_sweep_title_plain", lang), 300)
    wanted = scenes.prompt_attributes(prompt)
    titles = [f"s = {s:g}<br>{marks(judge.read(image), wanted)}" for s, image in sweep]
    return images_row_figure([image for _, image in sweep], titles, translate("t2i_sweep_title", lang), 300)


# ---------------------------------------------------------------------------------------------
# prompt edits


def edit_figure(first: core.Record, second: core.Record, lang: str) -> dict:
    """x̂0 of both prompts at the same steps, from the same starting noise, a row each; the second
    row ends with the final images' difference. Every panel is titled with its row's letter, so
    that on a phone, where the rows are restacked two or three pictures wide, each still says
    which prompt it shows."""
    shown = strip_steps(first.steps, core.LIMITS.edit_columns)
    layout = base_layout(translate("t2i_edit_title", lang), 440, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    cols = len(shown) + 1
    gap = 0.02
    width = (1 - gap * (cols - 1)) / cols
    size = first.image.shape[0]
    data, rows, n = [], [], 0
    for row, (record, y) in enumerate(((first, (0.54, 0.9)), (second, (0.0, 0.36)))):
        rows.append([])
        for c, step in enumerate(shown):
            x0 = c * (width + gap)
            title = translate("t2i_edit_step", lang, prompt="AB"[row], step=step)
            x_ref, y_ref = _panel(layout, n, (round(x0, 6), round(x0 + width, 6)), y, size, size, title)
            data.append(_picture(upscale(record.pred_images[step - 1], 4), x_ref, y_ref, size))
            rows[-1].append(n)
            n += 1
    difference = np.abs(first.image - second.image).max(axis=2)                   # (H, W)
    x0 = round((cols - 1) * (width + gap), 6)
    x_ref, y_ref = _panel(layout, n, (x0, 1.0), (0.0, 0.36), size, size, translate("t2i_edit_diff", lang))
    rows[-1].append(n)
    data.append({"type": "heatmap", "z": difference, "x0": 0.5, "dx": 1, "y0": 0.5, "dy": 1, "zmin": 0, "zmax": 1,
                 "colorscale": "Greys", "reversescale": False, "showscale": False, "xaxis": x_ref, "yaxis": y_ref,
                 "hovertemplate": "|A − B| %{z:.2f}<extra></extra>"})
    _fit_rows(layout, rows, 100)
    return figure(data, layout)


# ---------------------------------------------------------------------------------------------
# text


def note_figure(text: str) -> dict:
    """A plot with nothing but a line of text: where a view does not apply to the model."""
    layout = base_layout(text, 120, margin={"l": 10, "r": 10, "t": 60, "b": 10})
    layout["xaxis"] = {"visible": False}
    layout["yaxis"] = {"visible": False}
    return figure([], layout)


def tokens_figure(prompt: core.Prompt, embeddings: np.ndarray, lang: str) -> dict:
    """The text encoder's output per token (rows: position, token, id), one column per dimension."""
    labels = [f"{i} {label} · {prompt.ids[i]}" for i, label in enumerate(prompt.labels)]
    count = len(labels)
    limit = float(np.abs(embeddings).max()) or 1.0
    layout = base_layout(translate("t2i_tokens_title", lang, n=count, limit=len(prompt.ids)), 120 + 22 * count,
                         margin={"l": 150, "r": 20, "t": 60, "b": 50})
    layout["xaxis"] = {"title": {"text": translate("t2i_axis_dimension", lang)}, "showgrid": False}
    layout["yaxis"] = {"tickvals": list(range(count)), "ticktext": labels, "autorange": "reversed", "showgrid": False,
                       "tickfont": {"size": 12}}
    data = [{"type": "heatmap", "z": embeddings, "zmin": -limit, "zmax": limit, "colorscale": LATENT_COLOURS,
             "hovertemplate": "%{y}<br>dim %{x}: %{z:.2f}<extra></extra>", "y": list(range(count)),
             "colorbar": {"thickness": 12}}]
    return figure(data, layout)


def _label_positions(xy: np.ndarray, labels: list[str], width_px: float = 260, height_px: float = 260,
                     char_px: float = 7.5, line_px: float = 18, marker_px: float = 5,
                     always: int = 0) -> list[str | None]:
    """Where to draw each label (a plotly textposition, or None: not drawn) so that none overlaps
    another, for a plot area of about width_px × height_px (a phone's, less plotly's padding around
    the data; a wider plot only spreads them further): greedily, in the given order, under its
    marker, else above, right or left of it. A label also leaves every other word's marker
    (marker_px around its point) uncovered, except the first ``always`` (the prompt's words,
    labelled wherever no other label is): in the crowded centre labels sat on other words'
    markers. The others show on hover. (Words the model has learned as synonyms sit on one point,
    "top" and 顶部: only the first of them is labelled.)"""
    span = np.ptp(xy, axis=0)
    span[span == 0] = 1
    sx = (xy[:, 0] - xy[:, 0].min()) / span[0] * width_px
    sy = (xy[:, 1].max() - xy[:, 1]) / span[1] * height_px        # screen y grows downwards
    markers = [(x - marker_px, y - marker_px, x + marker_px, y + marker_px) for x, y in zip(sx, sy)]

    def clear(box, boxes) -> bool:
        return all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in boxes)

    placed, where = [], []
    for n, (x, y, label) in enumerate(zip(sx, sy, labels)):
        w, h = sum(char_px * (1 if ch.isascii() else 1.8) for ch in label), line_px
        boxes = {"bottom center": (x - w / 2, y + 5, x + w / 2, y + 5 + h),
                 "top center": (x - w / 2, y - 5 - h, x + w / 2, y - 5),
                 "middle right": (x + 7, y - h / 2, x + 7 + w, y + h / 2),
                 "middle left": (x - 7 - w, y - h / 2, x - 7, y + h / 2)}
        others = markers[:n] + markers[n + 1:]
        chosen = next((side for side, box in boxes.items()
                       if clear(box, placed) and (n < always or clear(box, others))), None)
        where.append(chosen)
        if chosen:
            placed.append(boxes[chosen])
    return where


def word_map_figure(words: core.WordMap, prompt: core.Prompt | None, lang: str) -> dict:
    """The caption words' embeddings on their first two principal components, coloured by kind,
    circles for English and diamonds for Chinese; the prompt's words ringed."""
    in_prompt = set(prompt.tokens) if prompt is not None else set()
    # label the prompt's words first, then attribute words, filler last, so the telling ones win a place
    order = sorted(range(len(words.words)), key=lambda i: (words.words[i] not in in_prompt, words.kinds[i] == "filler"))
    sides = _label_positions(words.xy[order], [words.words[i] for i in order],
                             always=sum(word in in_prompt for word in words.words))
    side_of = dict(zip(order, sides))
    # one legend entry per kind, the language told by the marker in the subtitle: ten entries took
    # five rows of a phone's plot
    title = (translate("t2i_words_title", lang, a=f"{words.explained[0]:.0%}", b=f"{words.explained[1]:.0%}")
             + "<br><sup>" + translate("t2i_words_marks", lang) + "</sup>")
    layout = base_layout(title, 500, legend={"orientation": "h", "y": -0.12}, margin={"l": 20, "r": 20, "t": 80, "b": 40})
    layout["xaxis"] = {"visible": False}
    layout["yaxis"] = {"visible": False}
    data = []
    for kind in KIND_COLOURS:
        for language, symbol in (("en", "circle"), ("zh", "diamond")):
            idx = [i for i in range(len(words.words)) if words.kinds[i] == kind and words.languages[i] == language]
            if not idx:
                continue
            data.append({
                "type": "scatter", "mode": "markers+text", "x": words.xy[idx, 0], "y": words.xy[idx, 1],
                "text": [words.words[i] if side_of[i] else "" for i in idx],
                "textposition": [side_of[i] or "bottom center" for i in idx],
                "hovertext": [words.words[i] for i in idx], "hoverinfo": "text",
                "name": translate(f"t2i_kind_{kind}", lang), "legendgroup": kind,
                "showlegend": not any(trace["legendgroup"] == kind for trace in data),
                "marker": {"color": KIND_COLOURS[kind], "symbol": symbol,
                           "size": [15 if words.words[i] in in_prompt else 9 for i in idx],
                           "line": {"color": "black", "width": [2 if words.words[i] in in_prompt else 0 for i in idx]}},
                "textfont": {"color": KIND_COLOURS[kind], "size": 12}})
    return figure(data, layout)


# ---------------------------------------------------------------------------------------------
# the VAE and the judge


def vae_figure(trip: core.VaeRoundTrip, lang: str) -> dict:
    layout = base_layout(translate("t2i_vae_title", lang, psnr=f"{trip.psnr_db:.1f}"), 380,
                         margin={"l": 10, "r": 10, "t": 60, "b": 10})
    size = trip.original.shape[0]
    data = []
    x_ref, y_ref = _panel(layout, 0, (0.0, 0.23), (0.0, 0.86), size, size,
                          translate("t2i_vae_original", lang, n=size * size * 3))
    data.append(_picture(upscale(as_uint8(trip.original), 8), x_ref, y_ref, size))
    limit = max(3.0, float(np.abs(trip.latent).max()))
    data.append(_latent_panel(layout, 1, (0.26, 0.49), (0.0, 0.86), trip.latent, limit,
                              translate("t2i_vae_latent", lang, n=trip.latent.size), "z"))
    x_ref, y_ref = _panel(layout, 2, (0.52, 0.75), (0.0, 0.86), size, size, translate("t2i_vae_reconstruction", lang))
    data.append(_picture(upscale(as_uint8(trip.reconstruction), 8), x_ref, y_ref, size))
    difference = np.abs(trip.original - trip.reconstruction).max(axis=2)
    x_ref, y_ref = _panel(layout, 3, (0.78, 1.0), (0.0, 0.86), size, size, translate("t2i_vae_difference", lang))
    data.append({"type": "heatmap", "z": difference, "x0": 0.5, "dx": 1, "y0": 0.5, "dy": 1, "zmin": 0, "zmax": 0.5,
                 "colorscale": "Greys", "showscale": False, "xaxis": x_ref, "yaxis": y_ref,
                 "hovertemplate": "|x − x̂| %{z:.3f}<extra></extra>"})
    _fit_rows(layout, [[0, 1, 2, 3]])
    return figure(data, layout)


def judge_picture(batch: core.JudgeBatch, columns: int = 8, factor: int = 4, border: int = 3) -> np.ndarray:
    """The batch's images in a grid, each framed green when the judge reads every asked attribute
    right and red otherwise."""
    count = len(batch.images)
    cols = min(columns, count)
    rows = -(-count // cols)
    size = batch.images.shape[1] * factor + 2 * border
    canvas = np.full((rows * (size + 4) - 4, cols * (size + 4) - 4, 3), GUTTER, np.uint8)
    for n, (image, reading) in enumerate(zip(batch.images, batch.readings)):
        r, c = divmod(n, cols)
        agree = judge.agreement(reading, batch.wanted)
        ok = all(v is not False for v in agree.values())
        tile = np.full((size, size, 3), RIGHT if ok else WRONG, np.uint8)
        tile[border:-border, border:-border] = upscale(image, factor)
        canvas[r * (size + 4):r * (size + 4) + size, c * (size + 4):c * (size + 4) + size] = tile
    return canvas


def judge_figure(batch: core.JudgeBatch, lang: str) -> dict:
    parts = [f"{translate(f't2i_attr_{a}', lang)} {batch.right[a]:.0%}" for a in (*judge.ATTRIBUTES, "all")
             if batch.right[a] is not None]
    picture = judge_picture(batch)
    rows = -(-len(batch.images) // 8)
    layout = base_layout(translate("t2i_judge_title", lang, n=len(batch.images), figures=" · ".join(parts)),
                         100 + 115 * rows, margin={"l": 10, "r": 10, "t": 80, "b": 10})
    layout["xaxis"] = {"visible": False, "range": [0, picture.shape[1]], "constrain": "domain"}
    layout["yaxis"] = {"visible": False, "range": [picture.shape[0], 0], "scaleanchor": "x", "constrain": "domain"}
    return figure([{"type": "image", "source": png_uri(picture), "hoverinfo": "skip"}], layout)
