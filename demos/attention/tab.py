"""Attention lab tab: handlers, then layout, then wiring; the maths lives in core.py.

API (errors come back in the caller's language, naming the control):
- ``/attention`` (text, model_id, layer, head, query, mode): analyse the text and draw every view;
  returns the four sliders' new ranges, the selection's views (notice, head heatmap, token view,
  aggregates, arithmetic), the model view and its geometry, the census (HTML grids), the
  position encodings, then the text and model that were analysed. Layer and head stay where the
  model has them, the query where the text has it (``core.carry_selection``).
- ``/attention_select`` (text, model_id, layer, head, query, mode): the selection's views of an
  analysed text, checked against that text's layers, heads and tokens.
- ``/attention_export`` (text, model_id, layer, head, query, mode): a JSON file with the settings
  and the numbers behind the views of an analysed text.
- ``/attention_generate`` (text, model_id, new_tokens, gen_layer): greedy tokens and where each looked.
- ``/attention_toy`` (): self-attention by hand on three tokens.
The selection is ``core.Selection``'s fields and the generation ``core.GenerationSettings``'s. A
shareable link sets ``core.Source``'s fields (text, model_id) and the selection, then presses
"Show attention".
"""

from __future__ import annotations

import dataclasses
import functools

import gradio as gr

from components import controls, exports, links_ui, models
from components.errors import user_errors
from components.handlers import handler
from components.i18n import translate
from components.model_picker import model_picker
from components.queueing import queue
from components.ui import I18N, explanation, export_panel
from components.validation import as_int
from demos.attention import core, figures

EXAMPLES = [
    "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer",
    core.DEFAULT_TEXT,
    "ROMEO.\nBut soft, what light through yonder window breaks?\nIt is the east, and Juliet is the sun.",
    "Friends, Romans, countrymen, lend me your ears;\nI come to bury Caesar, not to praise him.",
    "Love 🙂 and 爱 are written in bytes.",
]


# ---------------------------------------------------------------------------------------------
# cached results: a selection redraws from the analysis of its text, without a forward pass


@functools.lru_cache(maxsize=16)
def analyse(model_id: str, text: str) -> core.Analysis:
    """Tokenize and run the model once per (model, text)."""
    model, tokenizer = models.load_causal_lm(model_id)
    return core.analyse(model, tokenizer, text)


def analysis_of(model_id, text) -> core.Analysis:
    """The analysis of ``text``, after the checks a cache hit must not skip: a hub model disabled
    since stays refused, and only text is hashed."""
    models.get_spec(model_id, models.CAUSAL_LM)
    core.check_text(text)
    return analyse(model_id, text)


@functools.lru_cache(maxsize=4)
def induction(model_id: str):
    """(L, H) induction scores: they depend on the model only."""
    model, _ = models.load_causal_lm(model_id)
    return core.induction_scores(model)


@functools.lru_cache(maxsize=8)
def positions(model_id: str, lang: str):
    """The position-encoding figure depends only on the model (and the language)."""
    model, _ = models.load_causal_lm(model_id)
    context = models.model_context(model)
    return figures.positions_figure(core.sinusoidal_encoding(context, model.config.n_embd),
                                    core.learned_positions(model, context), lang)


# ---------------------------------------------------------------------------------------------
# views


def notice(analysis: core.Analysis, max_diff: float, lang: str) -> str:
    """Token count, the recomputation check, and a warning when the text was cut."""
    enc = analysis.encoded
    lines = [translate("att_tokens_info", lang, n=len(enc.ids), diff=max_diff)]
    if enc.truncated:
        lines.insert(0, "⚠️ " + translate("att_truncated", lang, kept=len(enc.ids), total=enc.original_tokens,
                                         context=analysis.context, limit=core.LIMITS.max_tokens))
    return "\n\n".join(lines)


def selection_views(model_id: str, analysis: core.Analysis, selection: core.Selection, lang: str) -> tuple:
    """(notice, head heatmap, token view, aggregates, arithmetic) of one selection."""
    model, _ = models.load_causal_lm(model_id)
    chosen = core.record_selection(model, analysis, selection)
    layer, head, query = selection.layer, selection.head, selection.query
    labels = analysis.encoded.labels
    mode = translate(f"att_mode_{selection.mode}", lang)
    caption = translate("att_token_caption", lang, query=query, token=labels[query], mode=mode)
    return (
        notice(analysis, chosen.max_diff, lang),
        figures.head_heatmap(analysis.attn[layer, head], labels, layer, head, lang),
        figures.token_view_html(chosen.weights, labels, query, lang, caption),
        figures.aggregates_figure(chosen.layer_mean, chosen.rolled, labels, layer, lang),
        figures.arithmetic_figure(chosen.steps, labels, layer, head, lang),
    )


def text_views(model_id: str, analysis: core.Analysis, lang: str) -> tuple:
    """(model view image, its geometry, census grids): they depend on the text only."""
    image, geometry = figures.model_view_image(analysis.attn, lang)
    census = core.head_census(analysis.attn, induction(model_id))
    return image, geometry, figures.census_html(census, lang)


# ---------------------------------------------------------------------------------------------
# handlers


@handler(core.Selection)
def show(text, model_id, settings: core.Selection, lang: str) -> tuple:
    """Analyse the text and draw every view; the sliders take the text's ranges."""
    analysis = analysis_of(model_id, text)
    n_layer, n_head, T, _ = analysis.attn.shape
    chosen = core.carry_selection(settings, analysis.attn.shape)
    return (
        gr.Slider(maximum=n_layer - 1, value=chosen.layer), gr.Slider(maximum=n_head - 1, value=chosen.head),
        gr.Slider(maximum=T - 1, value=chosen.query), gr.Slider(maximum=n_layer - 1),
        *selection_views(model_id, analysis, chosen, lang), *text_views(model_id, analysis, lang),
        positions(model_id, lang), text, model_id,
    )


@handler(core.Selection)
def select(text, model_id, settings: core.Selection, lang: str) -> tuple:
    """Redraw the views of the chosen layer, head and query token. The page passes the text and
    model that were analysed (not what the textbox holds now), whose ranges the sliders have."""
    return selection_views(model_id, analysis_of(model_id, text), settings, lang)


def open_head(layer: int, head: int) -> tuple:
    """The sliders' new layer and head, and the Head view brought to the front (the wiring then
    redraws it, once it is shown: a plot drawn in a hidden tab would come back narrow)."""
    return layer, head, gr.Tabs(selected="head")


@user_errors
def pick_from_model_view(geometry, evt: gr.SelectData):
    """A click on the model view: the tile's head opens in the Head view."""
    cell = figures.cell_at(geometry, *evt.index) if geometry and evt.index else None
    if cell is None:
        return gr.skip(), gr.skip(), gr.skip()
    return open_head(*cell)


@user_errors
def pick_from_census(evt: gr.SelectData, request: gr.Request = None):
    """A click on a cell of the census: its head opens in the Head view (the page sends the
    cell's layer and head; the redraw checks them against the analysed model). ``request``
    gives a refusal the page's language."""
    index = evt.index if isinstance(evt.index, (list, tuple)) and len(evt.index) == 2 else None
    if index is None:
        return gr.skip(), gr.skip(), gr.skip()
    return open_head(as_int("att_layer", index[0], 0, core.LIMITS.max_layers - 1),
                     as_int("att_head", index[1], 0, core.LIMITS.max_heads - 1))


@handler(core.Selection)
def export(text, model_id, settings: core.Selection, lang: str) -> list[str]:
    """The analysed text's tokens, the chosen head's attention, the query's row, the layer's mean,
    the rollout and the census, as JSON with the settings that made them."""
    analysis = analysis_of(model_id, text)
    model, _ = models.load_causal_lm(model_id)
    chosen = core.record_selection(model, analysis, settings)
    census = core.head_census(analysis.attn, induction(model_id))
    data = {
        "tokens": analysis.encoded.labels, "token_ids": analysis.encoded.ids, "truncated": analysis.encoded.truncated,
        "head_attention": analysis.attn[settings.layer, settings.head], "query_attention": chosen.weights,
        "layer_mean": chosen.layer_mean, "rollout": chosen.rolled, "recomputation_max_diff": chosen.max_diff,
        "census": {score: getattr(census, score) for score in core.SCORES} | {"uniform": census.uniform},
    }
    return [exports.result_json("attention", {"text": text, "model_id": model_id} | dataclasses.asdict(settings), data)]


@functools.lru_cache(maxsize=8)
def generation(model_id: str, text: str, new_tokens: int) -> core.GenerationAttention:
    """Greedy tokens and their attention, once per (model, text, count): a change of language
    redraws the last generation from here."""
    model, tokenizer = models.load_causal_lm(model_id)
    return core.generate_with_attention(model, tokenizer, core.encode(tokenizer, model, text), new_tokens)


def generation_view(text, model_id, settings: core.GenerationSettings, lang: str):
    """The generation's figure, after the checks a cache hit must not skip."""
    models.get_spec(model_id, models.CAUSAL_LM)
    model, _ = models.load_causal_lm(model_id)
    core.check_generation(settings, model.config.n_layer)
    gen = generation(model_id, text, settings.new_tokens)
    return figures.generation_figure(gen, None if settings.gen_layer < 0 else settings.gen_layer, lang)


@handler(core.GenerationSettings)
def generate(text, model_id, settings: core.GenerationSettings, lang: str):
    """Generate tokens greedily and show where each one looked."""
    return generation_view(text, model_id, settings, lang)


def generated(text, model_id, new_tokens, gen_layer) -> tuple:
    """What the generation view shows (kept once it was drawn, for a change of language)."""
    return text, model_id, new_tokens, gen_layer


@handler()
def toy(lang: str):
    return figures.toy_figure(core.toy_example(), lang)


@handler(core.Selection)
def redraw(notice_shown, text, model_id, settings: core.Selection, toy_shown, generated_with, lang: str) -> tuple:
    """Every view already drawn, again in the page's language (fired by a change of language,
    components.links_ui): the selection's and the text's views from the analysis the selection
    redraws from (cached: no forward pass), the position encodings (cached per model), the toy
    and the last generation (cached) — each only once it was drawn (``notice_shown``: the
    analysis's notice; ``toy_shown``: the toy plot; ``generated_with``: the generation's inputs)."""
    skip = gr.skip()
    drawn = (skip,) * 9
    if notice_shown:
        analysis = analysis_of(model_id, text)
        drawn = (*selection_views(model_id, analysis, settings, lang), *text_views(model_id, analysis, lang),
                 positions(model_id, lang))
    toy_view = figures.toy_figure(core.toy_example(), lang) if toy_shown is not None else skip
    generation_plot = skip
    if generated_with:
        gen_text, gen_model, new_tokens, gen_layer = generated_with
        gen_settings = core.GenerationSettings(new_tokens=new_tokens, gen_layer=gen_layer)
        generation_plot = generation_view(gen_text, gen_model, gen_settings, lang)
    return (*drawn, toy_view, generation_plot)


# ---------------------------------------------------------------------------------------------
# layout

# The page's side of the token axes (figures.py): each plot labels every k-th token, k the
# smallest that keeps the labels apart at the plot's real size (x labels turn vertical when they
# do not fit side by side), redone after every draw, so a phone, a projector and a resized window
# each get labels that never overlap. A plot drawn while its sub-tab was hidden is redrawn at its
# container's width once it shows.
PLOT_JS = """
() => {
  if (window.attentionPlots) return;
  window.attentionPlots = true;
  const LINE = (font) => 1.3 * font + 2;   // figures.LINE_PX
  const ruler = document.createElement("canvas").getContext("2d");
  const plain = (label) => label.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
  const relabel = (gd) => {
    const tokens = gd.layout && gd.layout.meta && gd.layout.meta.tokens;
    const full = gd._fullLayout;
    if (!tokens || !full || !window.Plotly || !gd.offsetWidth) return;
    const update = {};
    for (const [key, labels] of Object.entries(tokens)) {
      const axis = full[key];
      if (!axis || !axis._length || !labels.length) continue;
      const font = (axis.tickfont && axis.tickfont.size) || 12;
      const per = axis._length / labels.length;   // pixels per token
      let need = LINE(font), angle = 0;
      if (key.startsWith("x")) {
        ruler.font = font + "px " + ((axis.tickfont && axis.tickfont.family) || full.font.family);
        const widest = Math.max(...labels.map((l) => ruler.measureText(plain(l)).width));
        if (widest + 6 <= per) need = per; else angle = -90;
      }
      const stride = Math.max(1, Math.ceil(need / per));
      const ticks = [];
      for (let i = 0; i < labels.length; i += stride) ticks.push(i);
      const own = gd.layout[key] || {};
      if (!same(own.tickvals || [], ticks) || (own.tickangle || 0) !== angle) {
        update[key + ".tickvals"] = ticks;
        update[key + ".ticktext"] = ticks.map((i) => labels[i]);
        update[key + ".tickangle"] = angle;
      }
    }
    if (Object.keys(update).length) window.Plotly.relayout(gd, update);
  };
  const hook = (gd) => {
    if (gd.attentionHooked || !gd.on) return;
    gd.attentionHooked = true;
    gd.on("plotly_afterplot", () => relabel(gd));
    new ResizeObserver(() => {
      const full = gd._fullLayout;
      if (gd.offsetWidth && full && Math.abs(full.width - gd.offsetWidth) > 1) window.Plotly.Plots.resize(gd);
    }).observe(gd);
    relabel(gd);
  };
  const scan = () => document.querySelectorAll(".attention-plot .js-plotly-plot").forEach(hook);
  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
  scan();
}
"""

# As the page opens it presses "Show attention" on the default text, unless a link to this lab
# will press it once it has set the controls (components.links_ui): a second analysis running
# beside the link's could write the default layer, head and query over the link's.
AUTOSHOW_JS = """
() => {
  if (new URLSearchParams(window.location.search).get("lab") !== "attention") {
    document.getElementById("attention_run")?.click();
  }
}
"""

# a click on a census cell sends its head to the server as a select event
CENSUS_JS = """
element.addEventListener("click", (event) => {
  const cell = event.target.closest("[data-layer]");
  if (cell) trigger("select", { index: [Number(cell.dataset.layer), Number(cell.dataset.head)], value: cell.title });
});
"""

# the controls in a side column beside the views, so a projector (1280×720) shows the heatmap
# without scrolling; on a phone the column stacks above them
CSS = """
#attention_intro p { margin: 0; }
#attention_census .att-census { display: flex; flex-wrap: wrap; gap: 18px; }
#attention_census .att-census-panel { max-width: 100%; }
#attention_census .att-census-name { font-weight: 600; }
#attention_census .att-census-summary, #attention_census .att-census-uniform { font-size: 0.9em; }
#attention_census .att-census-uniform { color: #666; margin-bottom: 4px; }
#attention_census .att-census-scroll { overflow-x: auto; }
#attention_census table.att-census-grid { border-collapse: separate; border-spacing: 2px; width: auto; margin: 0; }
#attention_census .att-census-grid th { font-weight: normal; font-size: 0.8em; padding: 0 3px; border: none;
  background: none; text-align: center; }
#attention_census .att-census-grid td { padding: 0; border: none; text-align: center; font-size: 12px;
  cursor: pointer; }
#attention_census .att-census-grid td.att-standout { outline: 3px solid #f5a300; outline-offset: -3px; font-weight: 700; }
#attention_census .att-census-grid td:hover { outline: 2px solid #222; outline-offset: -2px; }
"""


def layout() -> dict:
    """The lab's components, by name."""
    gr.Markdown(I18N("att_intro"), elem_id="attention_intro")
    c: dict = {}
    plot = dict(show_label=False, elem_classes="attention-plot")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            c |= controls.build(core.Source, "attention", ["text"], text={"lines": 3, "max_lines": 8})
            c["model_id"] = model_picker(models.CAUSAL_LM)
            c["run"] = gr.Button(I18N("att_run"), variant="primary", elem_id="attention_run")
            with gr.Accordion(I18N("examples"), open=False):
                gr.Examples(EXAMPLES, inputs=[c["text"]], label=None)
            c |= controls.build(core.Selection, "attention")
            c["notice"] = gr.Markdown(elem_id="attention_notice")
        with gr.Column(scale=3, min_width=320):
            with gr.Tabs(elem_id="attention_views") as c["views"]:
                with gr.Tab(I18N("att_head_view"), id="head"):
                    c["head_plot"] = gr.Plot(elem_id="attention_head_plot", **plot)
                with gr.Tab(I18N("att_model_view"), id="model"):
                    gr.Markdown(I18N("att_model_view_help"))
                    c["model_view"] = gr.Image(show_label=False, interactive=False, format="png", height=420,
                                               buttons=["download"], elem_id="attention_model_view")
                    c["geometry"] = gr.State()
                with gr.Tab(I18N("att_census"), id="census"):
                    gr.Markdown(I18N("att_census_help"))
                    c["census"] = gr.HTML(elem_id="attention_census", js_on_load=CENSUS_JS)
                with gr.Tab(I18N("att_token_view"), id="token"):
                    c["token_html"] = gr.HTML()
                with gr.Tab(I18N("att_aggregates"), id="aggregates"):
                    c["aggregates_plot"] = gr.Plot(elem_id="attention_aggregates_plot", **plot)
                with gr.Tab(I18N("att_arithmetic"), id="arithmetic"):
                    c["arithmetic_plot"] = gr.Plot(elem_id="attention_arithmetic_plot", **plot)
                with gr.Tab(I18N("att_toy"), id="toy") as c["toy_tab"]:
                    c["toy_plot"] = gr.Plot(elem_id="attention_toy_plot", **plot)
                with gr.Tab(I18N("att_positions"), id="positions"):
                    c["positions_plot"] = gr.Plot(elem_id="attention_positions_plot", **plot)
                with gr.Tab(I18N("att_generation"), id="generation"):
                    with gr.Row():
                        # sliders under ~200 px broke their labels a character a line (a phone, Chinese)
                        c |= controls.build(core.GenerationSettings, "attention", new_tokens={"min_width": 200},
                                            gen_layer={"min_width": 200})
                        c["generate"] = gr.Button(I18N("att_generate"), elem_id="attention_generate")
                    c["generation_plot"] = gr.Plot(elem_id="attention_generation_plot", **plot)
                    c["generated"] = gr.State()   # the generation drawn: (text, model, tokens, layer)
                with gr.Tab(I18N("att_explain"), id="explain"):
                    explanation("att_explain_md")
            with gr.Row():
                c["copy_link"] = links_ui.copy_link("attention")
                c["export"], c["export_files"] = export_panel("attention")
    # the text and model the views show: a selection redraws these, whatever the textbox holds now
    c["analysed_text"] = gr.Textbox(core.DEFAULT_TEXT, label=I18N("att_text"), max_length=core.LIMITS.max_text_chars,
                                    visible=False)
    c["analysed_model"] = gr.Textbox(models.default_model(models.CAUSAL_LM), label=I18N("model"), visible=False)
    return c


# ---------------------------------------------------------------------------------------------
# wiring


def build_tab(blocks: gr.Blocks) -> links_ui.Linkable:
    """The default text is analysed as soon as the page loads (AUTOSHOW_JS); a link sets the text
    and the selection, then presses "Show attention"."""
    c = layout()
    selection = controls.inputs(core.Selection, c)
    analysed = [c["analysed_text"], c["analysed_model"]]
    views = [c["notice"], c["head_plot"], c["token_html"], c["aggregates_plot"], c["arithmetic_plot"]]
    show_args = dict(fn=show, inputs=[c["text"], c["model_id"], *selection],
                     outputs=[c["layer"], c["head"], c["query"], c["gen_layer"], *views, c["model_view"],
                              c["geometry"], c["census"], c["positions_plot"], *analysed], **queue("heavy"))
    select_args = dict(fn=select, inputs=[*analysed, *selection], outputs=views, **queue("control"))
    # always_last: a press while an analysis runs (the page's own, as it opens) is kept, not dropped
    gr.on([c["run"].click, c["text"].submit, c["model_id"].change], api_name="attention",
          trigger_mode="always_last", **show_args)
    for script in (PLOT_JS, AUTOSHOW_JS):
        blocks.load(None, js=script, api_visibility="private")
    # .input fires on the learner's own moves only (not on show()'s updates); always_last drops
    # the intermediate values of a drag
    gr.on([c["layer"].input, c["head"].input, c["query"].input, c["mode"].input], api_name="attention_select",
          trigger_mode="always_last", **select_args)
    picked = [c["layer"], c["head"], c["views"]]
    c["model_view"].select(pick_from_model_view, [c["geometry"]], picked, api_visibility="private",
                           **queue("control")).then(api_visibility="private", **select_args)
    c["census"].select(pick_from_census, None, picked, api_visibility="private",
                       **queue("control")).then(api_visibility="private", **select_args)
    c["export"].click(export, [*analysed, *selection], [c["export_files"]], api_name="attention_export",
                      **queue("control"))
    generation_inputs = [c["text"], c["model_id"], *controls.inputs(core.GenerationSettings, c)]
    c["generate"].click(generate, generation_inputs, [c["generation_plot"]], api_name="attention_generate",
                        **queue("heavy")).success(generated, generation_inputs, [c["generated"]],
                                                  api_visibility="private", queue=False)
    c["toy_tab"].select(toy, None, [c["toy_plot"]], api_name="attention_toy", **queue("control"))
    # a change of language redraws what is drawn (components.links_ui): from the cached analysis
    again = links_ui.Redraw(redraw, [c["notice"], *analysed, *selection, c["toy_plot"], c["generated"]],
                            [*views, c["model_view"], c["geometry"], c["census"], c["positions_plot"], c["toy_plot"],
                             c["generation_plot"]])
    return links_ui.Linkable((core.Source, core.Selection), c, c["run"], c["copy_link"], (again,))
