"""Decoding lab tab: components and event wiring only; the maths lives in core.py."""

from __future__ import annotations

import dataclasses

import gradio as gr

from components import models
from components.errors import request_language, user_errors
from components.i18n import InputError, translate
from components.model_picker import model_picker
from components.tokens import labels_for_ids, token_piece
from components.ui import I18N, explanation
from components.validation import as_int
from demos.decoding import core, figures

L = core.LIMITS

# Every parameter slider: field -> (label key, minimum, maximum, step, default).
SLIDERS = {
    "temperature": ("dec_temperature", 0.0, L.max_temperature, 0.05, 1.0),
    "top_k": ("dec_top_k", 1, L.max_top_k, 1, 40),
    "top_p": ("dec_top_p", 0.01, 1.0, 0.01, 0.9),
    "typical_p": ("dec_typical_p", 0.01, 1.0, 0.01, 0.9),
    "min_p": ("dec_min_p", 0.0, 1.0, 0.01, 0.1),
    "num_beams": ("dec_beams", 2, L.max_beams, 1, 4),
    "length_penalty": ("dec_length_penalty", -L.max_length_penalty, L.max_length_penalty, 0.1, 1.0),
    "no_repeat_ngram_size": ("dec_no_repeat", 0, L.max_no_repeat, 1, 0),
    "repetition_penalty": ("dec_repetition_penalty", 1.0, L.max_repetition_penalty, 0.05, 1.0),
    "penalty_alpha": ("dec_alpha", 0.0, 1.0, 0.05, 0.6),
    "contrastive_k": ("dec_contrastive_k", 1, L.max_contrastive_k, 1, 4),
}
# The parameters each strategy has (each strategy has its own copy of every slider).
PARAMS = {
    "greedy": ("repetition_penalty",),
    "beam": ("num_beams", "length_penalty", "no_repeat_ngram_size", "repetition_penalty"),
    "sampling": ("temperature", "repetition_penalty"),
    "top_k": ("top_k", "temperature", "repetition_penalty"),
    "top_p": ("top_p", "temperature", "repetition_penalty"),
    "typical": ("typical_p", "temperature", "repetition_penalty"),
    "min_p": ("min_p", "temperature", "repetition_penalty"),
    "contrastive": ("penalty_alpha", "contrastive_k", "repetition_penalty"),
}
PARAM_ORDER = [(kind, field) for kind in core.KINDS for field in PARAMS[kind]]
DEFAULT_KINDS = ["greedy", "beam", "sampling", "top_k", "top_p", "min_p"]
PRESETS = {
    "dec_preset_truncation": (["sampling", "top_k", "top_p", "typical", "min_p"],
                              {(k, "temperature"): 1.0 for k in ("sampling", "top_k", "top_p", "typical", "min_p")}),
    "dec_preset_search": (["greedy", "beam", "contrastive"], {("beam", "num_beams"): 4, ("contrastive", "penalty_alpha"): 0.6}),
    "dec_preset_all": (list(core.KINDS), {}),
}
EXAMPLES = ["ROMEO.\nWhat light", "KING.\nMy lords, ", "To be, or not to be, ", "HAMLET.\nO, that this too"]


def strategies_from(kinds, values) -> tuple[list[core.Strategy], list[str]]:
    """Validated strategies, in the lab's fixed order, from the chosen kinds and every slider value."""
    if not kinds:
        raise InputError("dec_err_none")
    by_kind: dict[str, dict] = {}
    for (kind, field), value in zip(PARAM_ORDER, values):
        by_kind.setdefault(kind, {})[field] = value
    strategies, notes = [], []
    for kind in core.KINDS:
        if kind in kinds:
            strategy, kind_notes = core.validated(kind, **by_kind.get(kind, {}))
            strategies.append(strategy)
            notes += [n for n in kind_notes if n not in notes]
    unknown = [k for k in kinds if k not in core.KINDS]
    if unknown:
        raise InputError("dec_err_kind", kind=str(unknown[0])[:40], allowed=", ".join(core.KINDS))
    return strategies, notes


@dataclasses.dataclass(frozen=True)
class OutputView:
    """What the step slider needs for one output (kept in the session's gr.State)."""
    label: str
    views: list[core.StepView]


def run_comparison(model_id, prompt, new_tokens, seed, n_samples, kinds, values, lang):
    """Everything the Compare button shows, plus the per-session state for the step slider."""
    model, tokenizer = models.load_causal_lm(model_id)
    new_tokens = as_int("dec_new_tokens", new_tokens, 1, L.max_new_tokens)
    n_samples = as_int("dec_samples", n_samples, 1, L.max_samples)
    seed = as_int("seed", seed, 0, L.max_seed)
    strategies, notes = strategies_from(kinds, values)
    result = core.compare(model, tokenizer, prompt, strategies, new_tokens, n_samples, seed)
    if result.from_bos:
        notes.append("dec_note_bos")
    note_text = [translate(n, lang) for n in notes]
    if result.prompt_cut:
        note_text.append(translate("dec_note_cut", lang, kept=len(result.prompt)))

    rows, output_views, pieces = [], [], {}
    groups: dict[str, list[core.Output]] = {}  # strategy label -> its outputs, for the metrics
    for out in result.outputs:
        strategy = figures.strategy_label(out.strategy, lang)
        groups.setdefault(strategy, []).append(out)
        label = strategy + (f" #{out.sample + 1}" if out.strategy.sampled else "")
        probs, ranks = core.token_model_stats(out)
        labels = labels_for_ids(tokenizer, result.prompt + out.tokens)[len(result.prompt):]
        rows.append({"label": label, "tokens": labels, "probs": probs, "ranks": ranks})
        views = [core.step_view(out, step) for step in range(len(out.tokens))]
        for view in views:
            for token_id in view.top_ids:
                pieces.setdefault(token_id, token_piece(tokenizer, token_id))
        output_views.append(OutputView(label, views))
    prompt_label = "".join(labels_for_ids(tokenizer, result.prompt))
    metric_values = [core.metrics(outs) for outs in groups.values()]
    beam_plot = beam_rows = None
    if result.beam:
        beam_plot = figures.beam_tree_figure(result.beam, lambda t: pieces.get(t) or token_piece(tokenizer, t), lang)
        beam_rows = figures.beam_table(result.beam, lambda ids: "".join(labels_for_ids(tokenizer, ids)), lang)
    state = {"outputs": output_views, "pieces": pieces}
    return (
        "\n\n".join(f"ℹ️ {n}" for n in note_text),
        figures.outputs_html(rows, prompt_label, lang),
        state,
        figures.metrics_table(list(groups), metric_values, lang),
        figures.metrics_figure(list(groups), metric_values, lang),
        beam_plot,
        beam_rows,
    )


def step_figure(state, output_index, step, lang):
    outputs = (state or {}).get("outputs", [])
    if not outputs:
        raise InputError("dec_err_output", value=output_index)
    index = as_int("dec_output_pick", output_index, 0, len(outputs) - 1)
    chosen = outputs[index]
    step = as_int("dec_step", step, 0, max(0, len(chosen.views) - 1))
    view = chosen.views[step]
    labels = [state["pieces"][t] for t in view.top_ids]
    title = translate("dec_dist_title", lang, output=chosen.label, step=step)
    return figures.distribution_figure(view, labels, title, lang)


def build_tab(blocks: gr.Blocks) -> None:
    """The lab's components and events. Nothing runs on page load: a comparison costs about a
    second of CPU, and a classroom opening the page at once should not queue behind it."""
    gr.Markdown(I18N("dec_intro"))
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(value=EXAMPLES[0], lines=2, label=I18N("dec_prompt"), info=I18N("dec_prompt_info"))
            gr.Examples([[e] for e in EXAMPLES], inputs=[prompt], label=I18N("examples"))
        with gr.Column(scale=2):
            model_id = model_picker(models.CAUSAL_LM)
            with gr.Row():
                new_tokens = gr.Slider(1, L.max_new_tokens, value=L.default_new_tokens, step=1, label=I18N("dec_new_tokens"))
                n_samples = gr.Slider(1, L.max_samples, value=L.default_samples, step=1, label=I18N("dec_samples"))
            seed = gr.Number(value=0, precision=0, minimum=0, maximum=L.max_seed, label=I18N("seed"))
    kinds = gr.CheckboxGroup([(I18N(f"dec_kind_{k}"), k) for k in core.KINDS], value=DEFAULT_KINDS,
                             label=I18N("dec_strategies"))
    preset = gr.Radio([(I18N(k), k) for k in PRESETS], label=I18N("dec_preset"), info=I18N("dec_preset_info"))
    sliders = []
    with gr.Accordion(I18N("dec_settings"), open=False):
        for kind in core.KINDS:
            with gr.Row():
                gr.Markdown(I18N(f"dec_kind_{kind}"))
                for field in PARAMS[kind]:
                    key, low, high, step, default = SLIDERS[field]
                    sliders.append(gr.Slider(low, high, value=default, step=step, label=I18N(key), min_width=160))
    run = gr.Button(I18N("dec_run"), variant="primary")
    notes = gr.Markdown()
    state = gr.State()
    with gr.Tabs():
        with gr.Tab(I18N("dec_outputs")):
            outputs_html = gr.HTML()
        with gr.Tab(I18N("dec_distribution")):
            with gr.Row():
                output_pick = gr.Dropdown(choices=[], label=I18N("dec_output_pick"), scale=2)
                step = gr.Slider(0, L.max_new_tokens - 1, value=0, step=1, label=I18N("dec_step"), scale=3)
            distribution_plot = gr.Plot(show_label=False)
        with gr.Tab(I18N("dec_beam_tree")):
            gr.Markdown(I18N("dec_beam_none"))
            beam_plot = gr.Plot(show_label=False)
            beam_df = gr.Dataframe(interactive=False)
        with gr.Tab(I18N("dec_metrics")):
            metrics_df = gr.Dataframe(interactive=False)
            metrics_plot = gr.Plot(show_label=False)
        with gr.Tab(I18N("dec_sweep")):
            sweep_btn = gr.Button(I18N("dec_sweep_run"))
            sweep_plot = gr.Plot(show_label=False)
        with gr.Tab(I18N("dec_explain")):
            explanation("dec_explain_md")

    @user_errors
    def compare(prompt_value, model_value, new_value, seed_value, samples_value, kinds_value,
                greedy_repetition_penalty, beam_num_beams, beam_length_penalty, beam_no_repeat_ngram_size,
                beam_repetition_penalty, sampling_temperature, sampling_repetition_penalty, top_k_top_k,
                top_k_temperature, top_k_repetition_penalty, top_p_top_p, top_p_temperature, top_p_repetition_penalty,
                typical_typical_p, typical_temperature, typical_repetition_penalty, min_p_min_p, min_p_temperature,
                min_p_repetition_penalty, contrastive_penalty_alpha, contrastive_contrastive_k,
                contrastive_repetition_penalty, request: gr.Request):
        """Run every chosen strategy on the prompt. Each parameter is named <strategy>_<field>, so
        API callers see which strategy it belongs to."""
        given = locals()
        values = [given[f"{kind}_{field}"] for kind, field in PARAM_ORDER]
        lang = request_language(request)
        models.get_spec(model_value, models.CAUSAL_LM)
        note, html_out, session, table, chart, beam, beam_rows = run_comparison(
            model_value, prompt_value, new_value, seed_value, samples_value, kinds_value, values, lang)
        first = session["outputs"][0]
        choices = [(o.label, i) for i, o in enumerate(session["outputs"])]
        return (note, html_out, session, table, chart, beam, beam_rows, gr.Dropdown(choices=choices, value=0),
                gr.Slider(maximum=max(1, len(first.views) - 1), value=0), step_figure(session, 0, 0, lang))

    @user_errors
    def show_step(session, output_value, step_value, request: gr.Request):
        """The next-token distribution at one step of one output."""
        return step_figure(session, output_value, step_value, request_language(request))

    @user_errors
    def sweep(prompt_value, model_value, new_value, seed_value, request: gr.Request):
        """Entropy and distinct-2 against temperature for this prompt."""
        lang = request_language(request)
        models.get_spec(model_value, models.CAUSAL_LM)
        model, tokenizer = models.load_causal_lm(model_value)
        n = as_int("dec_new_tokens", new_value, 1, L.max_new_tokens)
        s = as_int("seed", seed_value, 0, L.max_seed)
        return figures.sweep_figure(core.temperature_sweep(model, tokenizer, prompt_value, n, s), lang)

    def apply_preset(name):
        kinds_value, overrides = PRESETS[name]
        values = [overrides.get((kind, field), SLIDERS[field][4]) for kind, field in PARAM_ORDER]
        return kinds_value, *values

    run.click(compare, [prompt, model_id, new_tokens, seed, n_samples, kinds, *sliders],
              [notes, outputs_html, state, metrics_df, metrics_plot, beam_plot, beam_df, output_pick, step,
               distribution_plot],
              api_name="decode", concurrency_id="decoding")
    gr.on([output_pick.input, step.input], show_step, [state, output_pick, step], [distribution_plot],
          api_name="decoding_step", trigger_mode="always_last")
    sweep_btn.click(sweep, [prompt, model_id, new_tokens, seed], [sweep_plot], api_name="decoding_sweep",
                    concurrency_id="decoding")
    preset.input(apply_preset, [preset], [kinds, *sliders], api_visibility="private")

