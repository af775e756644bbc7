"""Attention lab tab: components and event wiring only; the maths lives in core.py."""

from __future__ import annotations

import dataclasses
import functools

import gradio as gr
import numpy as np

from components import models
from components.errors import request_language, user_errors
from components.i18n import translate
from components.model_picker import model_picker
from components.ui import I18N, explanation
from components.validation import as_int
from demos.attention import core, figures

EXAMPLES = [
    "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer",
    "The king is dead. Long live the king! The king is dead. Long live the king!",
    "ROMEO.\nBut soft, what light through yonder window breaks?\nIt is the east, and Juliet is the sun.",
    "Friends, Romans, countrymen, lend me your ears;\nI come to bury Caesar, not to praise him.",
    "Love 🙂 and 爱 are written in bytes.",
]


@dataclasses.dataclass(frozen=True)
class Analysis:
    encoded: core.Encoded
    record: core.ForwardRecord
    context: int

    @property
    def attn(self) -> np.ndarray:
        return self.record.attn  # (L, H, T, T)


@functools.lru_cache(maxsize=16)
def analyse(model_id: str, text: str) -> Analysis:
    """Tokenize and run the model once per (model, text); selections reuse the result."""
    model, tokenizer = models.load_causal_lm(model_id)
    encoded = core.encode(tokenizer, model, text)
    return Analysis(encoded, core.run_model(model, encoded.ids), models.model_context(model))


@functools.lru_cache(maxsize=4)
def induction(model_id: str) -> np.ndarray:
    model, _ = models.load_causal_lm(model_id)
    return core.induction_scores(model)


@functools.lru_cache(maxsize=8)
def positions(model_id: str, lang: str):
    """The position-encoding figure depends only on the model (and the language)."""
    model, _ = models.load_causal_lm(model_id)
    context = models.model_context(model)
    return figures.positions_figure(core.sinusoidal_encoding(context, model.config.n_embd),
                                    core.learned_positions(model, context), lang)


def _selection(analysis: Analysis, layer, head, query) -> tuple[int, int, int]:
    n_layer, n_head, T, _ = analysis.attn.shape
    return (as_int("att_layer", layer, 0, n_layer - 1), as_int("att_head", head, 0, n_head - 1),
            as_int("att_query", query, 0, T - 1))


def _notice(analysis: Analysis, diff: float, lang: str) -> str:
    enc = analysis.encoded
    lines = [translate("att_tokens_info", lang, n=len(enc.ids), diff=diff)]
    if enc.truncated:
        lines.insert(0, "⚠️ " + translate("att_truncated", lang, kept=len(enc.ids), total=enc.original_tokens,
                                         context=analysis.context, limit=core.LIMITS.max_tokens))
    return "\n\n".join(lines)


def selection_views(model_id, analysis: Analysis, layer: int, head: int, query: int, mode: str, lang: str):
    """Every view that depends on the chosen layer, head and query token (no forward pass)."""
    model, _ = models.load_causal_lm(model_id)
    labels = analysis.encoded.labels
    steps = core.head_arithmetic(model, analysis.record.block_inputs[layer], layer, head)
    diff = float(np.abs(steps.probs - analysis.attn[layer, head]).max())
    weights = analysis.attn[layer, head, query] if mode == "head" else analysis.attn[layer, :, query].mean(0)
    mode_text = translate("att_mode_head" if mode == "head" else "att_mode_mean", lang)
    caption = translate("att_token_caption", lang, query=query, token=labels[query], mode=mode_text)
    return (
        _notice(analysis, diff, lang),
        figures.head_heatmap(analysis.attn[layer, head], labels, layer, head, lang),
        figures.token_view_html(weights, labels, query, lang, caption),
        figures.aggregates_figure(core.mean_over_heads(analysis.attn)[layer], core.rollout(analysis.attn)[layer], labels, layer, lang),
        figures.arithmetic_figure(steps, labels, layer, head, lang),
    )


def text_views(model_id: str, analysis: Analysis, lang: str):
    """The views that depend on the text but not on the selection: model view and census."""
    image, geometry = figures.model_view_image(analysis.attn, lang)
    census = core.HeadCensus(*core.row_statistics(analysis.attn), induction(model_id))
    return image, geometry, figures.census_figure(census, lang), figures.census_table(census, lang)


def build_tab(blocks: gr.Blocks) -> None:
    """The lab's components and events; the default text is shown as soon as the page loads."""
    with gr.Row():
        gr.Markdown(I18N("att_intro"))
    with gr.Row():
        with gr.Column(scale=3):
            text = gr.Textbox(value=EXAMPLES[1], lines=3, max_lines=8, label=I18N("att_text"))
        with gr.Column(scale=1):
            model_id = model_picker(models.CAUSAL_LM)
            run = gr.Button(I18N("att_run"), variant="primary")
    gr.Examples(EXAMPLES, inputs=[text], label=I18N("examples"))
    with gr.Row():
        layer = gr.Slider(0, 5, value=0, step=1, label=I18N("att_layer"))
        head = gr.Slider(0, 5, value=0, step=1, label=I18N("att_head"))
        query = gr.Slider(0, 255, value=0, step=1, label=I18N("att_query"))
        mode = gr.Radio([(I18N("att_mode_head"), "head"), (I18N("att_mode_mean"), "mean")], value="head",
                        label=I18N("att_token_mode"))
    notice = gr.Markdown()
    with gr.Tabs():
        with gr.Tab(I18N("att_head_view")):
            head_plot = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_model_view")):
            gr.Markdown(I18N("att_model_view_help"))
            model_view = gr.Image(show_label=False, interactive=False, format="png", buttons=["download"])
            geometry = gr.State()
        with gr.Tab(I18N("att_token_view")):
            token_html = gr.HTML()
        with gr.Tab(I18N("att_aggregates")):
            aggregates_plot = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_census")):
            gr.Markdown(I18N("att_census_help"))
            census_plot = gr.Plot(show_label=False)
            census_df = gr.Dataframe(label=I18N("att_census_table"), interactive=False)
        with gr.Tab(I18N("att_arithmetic")):
            arithmetic_plot = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_toy")) as toy_tab:
            toy_plot = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_positions")):
            positions_plot = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_generation")):
            with gr.Row():
                n_new = gr.Slider(1, core.LIMITS.max_generate, value=core.LIMITS.default_generate, step=1,
                                  label=I18N("att_new_tokens"))
                gen_layer = gr.Slider(-1, 5, value=-1, step=1, label=I18N("att_gen_layer"))
                generate_btn = gr.Button(I18N("att_generate"))
            generation_plot = gr.Plot(show_label=False)
        with gr.Tab(I18N("att_explain")):
            explanation("att_explain_md")

    @user_errors
    def show(text_value, model_value, layer_value, head_value, query_value, mode_value, request: gr.Request):
        """Run the model on the text and draw every view for the selection."""
        lang = request_language(request)
        models.get_spec(model_value, models.CAUSAL_LM)
        analysis = analyse(model_value, text_value)
        n_layer, n_head, T, _ = analysis.attn.shape
        # a new text or model: keep the selection where it still exists, else reset it
        layer_v = min(as_int("att_layer", layer_value, 0, 10_000), n_layer - 1)
        head_v = min(as_int("att_head", head_value, 0, 10_000), n_head - 1)
        query_v = T - 1
        return (
            gr.Slider(maximum=n_layer - 1, value=layer_v), gr.Slider(maximum=n_head - 1, value=head_v),
            gr.Slider(maximum=T - 1, value=query_v), gr.Slider(maximum=n_layer - 1),
            *selection_views(model_value, analysis, layer_v, head_v, query_v, mode_value, lang),
            *text_views(model_value, analysis, lang), positions(model_value, lang),
        )

    @user_errors
    def select(text_value, model_value, layer_value, head_value, query_value, mode_value, request: gr.Request):
        """Redraw the views that depend on the chosen layer, head and query token."""
        lang = request_language(request)
        models.get_spec(model_value, models.CAUSAL_LM)
        analysis = analyse(model_value, text_value)
        layer_v, head_v, query_v = _selection(analysis, layer_value, head_value, query_value)
        return selection_views(model_value, analysis, layer_v, head_v, query_v, mode_value, lang)

    @user_errors
    def pick_from_model_view(geo, evt: gr.SelectData):
        """A click on the model view: the tile's layer and head go to the sliders."""
        cell = figures.cell_at(geo, *evt.index) if geo and evt.index else None
        if cell is None:
            return gr.skip(), gr.skip()
        return cell

    @user_errors
    def generate(text_value, model_value, n_value, layer_value, request: gr.Request):
        """Generate tokens greedily and show where each one looked."""
        lang = request_language(request)
        models.get_spec(model_value, models.CAUSAL_LM)
        model, tokenizer = models.load_causal_lm(model_value)
        n_new = as_int("att_new_tokens", n_value, 1, core.LIMITS.max_generate)
        chosen = as_int("att_gen_layer", layer_value, -1, model.config.n_layer - 1)
        encoded = core.encode(tokenizer, model, text_value)
        gen = core.generate_with_attention(model, tokenizer, encoded, n_new)
        return figures.generation_figure(gen, None if chosen < 0 else chosen, lang)

    def toy(request: gr.Request):
        return figures.toy_figure(core.toy_example(), request_language(request))

    inputs = [text, model_id, layer, head, query, mode]
    selection_outputs = [notice, head_plot, token_html, aggregates_plot, arithmetic_plot]
    show_outputs = [layer, head, query, gen_layer, *selection_outputs, model_view, geometry, census_plot,
                    census_df, positions_plot]
    gr.on([run.click, text.submit, model_id.change], show, inputs, show_outputs, api_name="attention",
          concurrency_id="attention")
    blocks.load(show, inputs, show_outputs, api_visibility="private", concurrency_id="attention")
    # .input fires only on the user's own moves (not on show()'s updates); always_last drops
    # the intermediate values of a drag
    gr.on([layer.input, head.input, query.input, mode.input], select, inputs, selection_outputs,
          api_name="attention_select", concurrency_id="attention", trigger_mode="always_last")
    model_view.select(pick_from_model_view, [geometry], [layer, head], api_visibility="private").then(
        select, inputs, selection_outputs, api_visibility="private", concurrency_id="attention")
    generate_btn.click(generate, [text, model_id, n_new, gen_layer], [generation_plot], api_name="attention_generate",
                       concurrency_id="attention")
    toy_tab.select(toy, None, [toy_plot], api_name="attention_toy")
