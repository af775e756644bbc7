"""Attention lab tab: handlers, then layout, then wiring; the maths lives in core.py.

API (errors come back in the caller's language, naming the control):
- ``/attention`` (text, model_id, layer, head, query, mode): analyse the text and draw every view;
  returns the four sliders' new ranges, the selection's views (notice, head heatmap, token view,
  aggregates, arithmetic), the model view and its geometry, the census (plot, table), the
  position encodings, then the text and model that were analysed. Layer and head stay where the
  model has them; the query moves to the last token.
- ``/attention_select`` (text, model_id, layer, head, query, mode): the selection's views of an
  analysed text, checked against that text's layers, heads and tokens.
- ``/attention_generate`` (text, model_id, new_tokens, gen_layer): greedy tokens and where each looked.
- ``/attention_toy`` (): self-attention by hand on three tokens.
The selection is ``core.Selection``'s fields and the generation ``core.GenerationSettings``'s.
"""

from __future__ import annotations

import functools

import gradio as gr

from components import controls, models
from components.errors import user_errors
from components.handlers import handler
from components.i18n import translate
from components.model_picker import model_picker
from components.queueing import queue
from components.ui import I18N, explanation
from demos.attention import core, figures

EXAMPLES = [
    "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer",
    "The king is dead. Long live the king! The king is dead. Long live the king!",
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
    """(model view image, its geometry, census plot, census table): they depend on the text only."""
    image, geometry = figures.model_view_image(analysis.attn, lang)
    census = core.head_census(analysis.attn, induction(model_id))
    return image, geometry, figures.census_figure(census, lang), figures.census_table(census, lang)


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


@user_errors
def pick_from_model_view(geometry, evt: gr.SelectData):
    """A click on the model view: the tile's layer and head go to the sliders."""
    cell = figures.cell_at(geometry, *evt.index) if geometry and evt.index else None
    if cell is None:
        return gr.skip(), gr.skip()
    return cell


@handler(core.GenerationSettings)
def generate(text, model_id, settings: core.GenerationSettings, lang: str):
    """Generate tokens greedily and show where each one looked."""
    models.get_spec(model_id, models.CAUSAL_LM)
    model, tokenizer = models.load_causal_lm(model_id)
    core.check_generation(settings, model.config.n_layer)
    encoded = core.encode(tokenizer, model, text)
    gen = core.generate_with_attention(model, tokenizer, encoded, settings.new_tokens)
    return figures.generation_figure(gen, None if settings.gen_layer < 0 else settings.gen_layer, lang)


@handler()
def toy(lang: str):
    return figures.toy_figure(core.toy_example(), lang)


# ---------------------------------------------------------------------------------------------
# layout


def layout() -> dict:
    """The lab's components, by name."""
    gr.Markdown(I18N("att_intro"))
    c: dict = {}
    with gr.Row():
        with gr.Column(scale=3):
            c["text"] = gr.Textbox(value=EXAMPLES[1], lines=3, max_lines=8, label=I18N("att_text"),
                                   max_length=core.LIMITS.max_text_chars, elem_id="attention_text")
        with gr.Column(scale=1):
            c["model_id"] = model_picker(models.CAUSAL_LM)
            c["run"] = gr.Button(I18N("att_run"), variant="primary", elem_id="attention_run")
    gr.Examples(EXAMPLES, inputs=[c["text"]], label=I18N("examples"))
    # the text and model the views show: a selection redraws these, whatever the textbox holds now
    c["analysed_text"] = gr.Textbox(EXAMPLES[1], label=I18N("att_text"), max_length=core.LIMITS.max_text_chars,
                                    visible=False)
    c["analysed_model"] = gr.Textbox(models.default_model(models.CAUSAL_LM), label=I18N("model"), visible=False)
    with gr.Row():
        c |= controls.build(core.Selection, "attention")
    c["notice"] = gr.Markdown(elem_id="attention_notice")
    with gr.Tabs():
        with gr.Tab(I18N("att_head_view")):
            c["head_plot"] = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_model_view")):
            gr.Markdown(I18N("att_model_view_help"))
            c["model_view"] = gr.Image(show_label=False, interactive=False, format="png", buttons=["download"])
            c["geometry"] = gr.State()
        with gr.Tab(I18N("att_token_view")):
            c["token_html"] = gr.HTML()
        with gr.Tab(I18N("att_aggregates")):
            c["aggregates_plot"] = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_census")):
            gr.Markdown(I18N("att_census_help"))
            c["census_plot"] = gr.Plot(show_label=False)
            c["census_df"] = gr.Dataframe(label=I18N("att_census_table"), interactive=False)
        with gr.Tab(I18N("att_arithmetic")):
            c["arithmetic_plot"] = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_toy")) as c["toy_tab"]:
            c["toy_plot"] = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_positions")):
            c["positions_plot"] = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_generation")):
            with gr.Row():
                c |= controls.build(core.GenerationSettings, "attention")
                c["generate"] = gr.Button(I18N("att_generate"), elem_id="attention_generate")
            c["generation_plot"] = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_explain")):
            explanation("att_explain_md")
    return c


# ---------------------------------------------------------------------------------------------
# wiring


def build_tab(blocks: gr.Blocks) -> None:
    """The default text is analysed as soon as the page loads."""
    c = layout()
    selection = controls.inputs(core.Selection, c)
    views = [c["notice"], c["head_plot"], c["token_html"], c["aggregates_plot"], c["arithmetic_plot"]]
    show_args = dict(fn=show, inputs=[c["text"], c["model_id"], *selection],
                     outputs=[c["layer"], c["head"], c["query"], c["gen_layer"], *views, c["model_view"],
                              c["geometry"], c["census_plot"], c["census_df"], c["positions_plot"],
                              c["analysed_text"], c["analysed_model"]], **queue("heavy"))
    select_args = dict(fn=select, inputs=[c["analysed_text"], c["analysed_model"], *selection], outputs=views,
                       **queue("control"))
    gr.on([c["run"].click, c["text"].submit, c["model_id"].change], api_name="attention", **show_args)
    blocks.load(api_visibility="private", **show_args)
    # .input fires on the learner's own moves only (not on show()'s updates); always_last drops
    # the intermediate values of a drag
    gr.on([c["layer"].input, c["head"].input, c["query"].input, c["mode"].input], api_name="attention_select",
          trigger_mode="always_last", **select_args)
    c["model_view"].select(pick_from_model_view, [c["geometry"]], [c["layer"], c["head"]], api_visibility="private",
                           **queue("control")).then(api_visibility="private", **select_args)
    c["generate"].click(generate, [c["text"], c["model_id"], *controls.inputs(core.GenerationSettings, c)],
                        [c["generation_plot"]], api_name="attention_generate", **queue("heavy"))
    c["toy_tab"].select(toy, None, [c["toy_plot"]], api_name="attention_toy", **queue("control"))
