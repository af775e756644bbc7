"""Decoding lab tab: handlers, then layout, then wiring; the maths lives in core.py.

API (the settings are the fields of ``core.DecodingSettings`` / ``core.PromptSettings``, in order:
``prompt, new_tokens, seed`` then, for a comparison, ``samples`` and every strategy's own
parameters, named ``<kind>_<parameter>``):
- ``/decode`` (settings…, model_id, kinds): every chosen strategy (``kinds``, a list of
  ``core.KINDS``) on the prompt; streams the comparison as each strategy is done, and answers
  last (notes, outputs HTML, metrics table, metrics plot, beam tree, beam table, output choices,
  step slider, distribution of the first output at step 0).
- ``/decoding_step`` (output, step): the next-token distribution at one step of one output of
  this session's last comparison.
- ``/decoding_sweep`` (prompt, new_tokens, seed, model_id): entropy and distinct-2 against
  temperature.
- ``/decoding_export`` (): a JSON file with the settings and the numbers behind this session's
  last comparison (and sweep).
A shareable link sets the settings and ``core.StrategyChoice.strategies`` (``strategies=top_k,top_p``),
then presses Compare.
"""

from __future__ import annotations

import dataclasses
import json
import time

import gradio as gr

from components import controls, exports, links_ui, live, models
from components.handlers import handler
from components.i18n import InputError, translate
from components.model_picker import model_picker
from components.queueing import queue
from components.settings import controls as setting_controls
from components.settings import defaults
from components.threads import one_thread
from components.tokens import labels_for_ids, token_piece
from components.ui import I18N, explanation, export_panel
from demos.decoding import core, figures

# Classroom presets: the strategies they compare; every parameter goes back to its default.
PRESETS = {
    "dec_preset_truncation": core.SAMPLED,
    "dec_preset_search": ("greedy", "beam", "contrastive"),
    "dec_preset_all": core.KINDS,
}
# The strategies' parameter controls, which a preset resets
STRATEGY_PARAMS = [name for kind in core.KINDS for name in core.STRATEGY_FIELDS[kind]]
NEW_TOKENS = setting_controls(core.PromptSettings)["new_tokens"]
# A comparison under way shows what is done after its first strategy, then at most this often:
# each view redraws every output card (~100 KB of HTML for the defaults) and the metrics table.
PARTIAL_INTERVAL_S = 0.5


# ---------------------------------------------------------------------------------------------
# handlers


def output_rows(prompt: list[int], outputs: list[core.Output], labels: list[str], tokenizer) -> list[dict]:
    """One card per output for ``figures.outputs_html``: its tokens with their probability and
    rank under the unmodified model."""
    rows = []
    for output, label in zip(outputs, labels):
        probs, ranks = core.token_model_stats(output)
        tokens = labels_for_ids(tokenizer, prompt + output.tokens)[len(prompt):]
        rows.append({"label": label, "tokens": tokens, "probs": probs, "ranks": ranks})
    return rows


def note_text(result: core.Comparison, notes: list[str], lang: str) -> str:
    lines = [translate(key, lang) for key in notes + (["dec_note_bos"] if result.from_bos else [])]
    if result.prompt_cut:
        lines.append(translate("dec_note_cut", lang, kept=len(result.prompt)))
    return "\n\n".join(f"ℹ️ {line}" for line in lines)


def comparison_record(result: core.Comparison, steps: core.StepViews, rows: list[dict], group_labels: list[str],
                      metric_values: list[core.Metrics], tokenizer) -> dict:
    """The numbers behind the comparison's views, for the export: every output's tokens with their
    probability and rank under the model, its next-token distribution at each step, the metrics
    per strategy and the beam search's candidates."""
    outputs = [{"label": row["label"], "tokens": row["tokens"], "token_ids": output.tokens,
                "model_probability": row["probs"], "model_rank": row["ranks"],
                "steps": [{"top_tokens": [steps.pieces[t] for t in view.top_ids]} | dataclasses.asdict(view)
                          for view in chosen.views]}
               for output, row, chosen in zip(result.outputs, rows, steps.outputs)]
    record = {"prompt_tokens": labels_for_ids(tokenizer, result.prompt), "prompt_cut": result.prompt_cut,
              "outputs": outputs, "metrics": [{"strategy": label} | dataclasses.asdict(m)
                                              for label, m in zip(group_labels, metric_values)]}
    if result.beam:
        record["beam"] = {"candidates": result.beam.candidates,
                          "finished": [{"tokens": t, "sum_log_p": total, "score": score}
                                       for t, total, score in result.beam.finished],
                          "winner_path": [(c.step, c.rank) for c in core.winner_path(result.beam)]}
    return record


@dataclasses.dataclass(frozen=True)
class Decoded:
    """One strategy's outputs and what the page shows of them: one chunk of a comparison, computed
    in one turn at the CPU."""
    outputs: list[core.Output]
    beam: core.BeamResult | None
    steps: core.StepViews      # the next-token distributions of its outputs
    rows: list[dict]           # its output cards (output_rows)


def decode_strategy(model, tokenizer, prompt: list[int], strategy: core.Strategy, settings: core.DecodingSettings,
                    lang: str) -> Decoded:
    """One strategy on the (already cut) prompt, with its outputs' step views and cards."""
    outputs, beam = core.run_strategy(model, prompt, strategy, settings.new_tokens, settings.samples, settings.seed,
                                      tokenizer.eos_token_id)
    labels = [figures.output_label(output, lang) for output in outputs]
    return Decoded(outputs, beam, core.step_views(outputs, labels, tokenizer),
                   output_rows(prompt, outputs, labels, tokenizer))


def comparison_of(prompt: tuple[list[int], bool, bool], decoded: list[Decoded]) -> core.Comparison:
    """The comparison of the strategies decoded so far (``prompt``: core.comparison_prompt's answer)."""
    beams = [d.beam for d in decoded if d.beam]
    return core.Comparison(*prompt, [output for d in decoded for output in d.outputs], beams[-1] if beams else None)


def metrics_by_strategy(result: core.Comparison, lang: str) -> tuple[list[str], list[core.Metrics]]:
    """Each strategy's label and metrics over its outputs (its samples together)."""
    groups = core.group_by_strategy(result.outputs)
    return [figures.strategy_label(strategy, lang) for strategy, _ in groups], [core.metrics(o) for _, o in groups]


def prompt_label(result: core.Comparison, tokenizer) -> str:
    return "".join(labels_for_ids(tokenizer, result.prompt))


def comparison_views(result: core.Comparison, decoded: list[Decoded], tokenizer, lang: str) -> tuple:
    """Everything the Compare button shows once every strategy is decoded, and the step views the
    step slider walks through: (outputs HTML, core.StepViews, metrics table, metrics plot, beam
    tree, beam table, the numbers for the export)."""
    steps = core.StepViews([chosen for d in decoded for chosen in d.steps.outputs],
                           {token: piece for d in decoded for token, piece in d.steps.pieces.items()})
    rows = [row for d in decoded for row in d.rows]
    group_labels, metric_values = metrics_by_strategy(result, lang)
    beam_plot = beam_rows = None
    if result.beam:
        piece = lambda t: steps.pieces.get(t) or token_piece(tokenizer, t)  # noqa: E731
        beam_plot = figures.beam_tree_figure(result.beam, piece, lang)
        beam_rows = figures.beam_table(result.beam, lambda ids: "".join(labels_for_ids(tokenizer, ids)), lang)
    html_out = figures.outputs_html(rows, prompt_label(result, tokenizer), lang)
    record = comparison_record(result, steps, rows, group_labels, metric_values, tokenizer)
    return (html_out, steps, figures.metrics_table(group_labels, metric_values, lang),
            figures.metrics_figure(group_labels, metric_values, lang), beam_plot, beam_rows, record)


def partial_views(result: core.Comparison, decoded: list[Decoded], pending: list[core.Strategy], notes: list[str],
                  first: bool, tokenizer, lang: str) -> tuple:
    """What a comparison under way shows (``decode``'s outputs): the outputs and metrics rows of
    the strategies done, the ``pending`` ones marked, and a status line. The views drawn only from
    the whole comparison (metrics plot, beam tree and table, the step picker) are emptied by the
    ``first`` partial view, so nothing of the last comparison stays beside the new one, and left
    as they are after it (gr.skip()); the first output's first step is already final."""
    total = len(decoded) + len(pending)
    status = translate("dec_progress", lang, done=len(decoded), total=total)
    pending_labels = [figures.strategy_label(strategy, lang) for strategy in pending]
    html_out = figures.outputs_html([row for d in decoded for row in d.rows], prompt_label(result, tokenizer), lang,
                                    pending=pending_labels, status=status)
    group_labels, metric_values = metrics_by_strategy(result, lang)
    table = figures.metrics_table(group_labels, metric_values, lang, pending=pending_labels)
    if first:
        waiting = (None, None, None, gr.Dropdown(choices=[], value=None, interactive=False),
                   gr.Slider(value=0, interactive=False),
                   figures.step_figure(decoded[0].steps.outputs[0], 0, decoded[0].steps.pieces, lang))
    else:
        waiting = (gr.skip(),) * 6
    return note_text(result, notes, lang), html_out, gr.skip(), table, *waiting, gr.skip()


def final_frame(result: core.Comparison, decoded: list[Decoded], notes: list[str], settings: core.DecodingSettings,
                model_id: str, kinds, tokenizer, lang: str) -> tuple:
    """``decode``'s last answer: every view, the step picker on the first output's first step."""
    html_out, steps, table, chart, beam, beam_rows, record = comparison_views(result, decoded, tokenizer, lang)
    first = steps.outputs[0]
    # an output's index, as text: a choice's value is a string (components/input_guard.py)
    choices = [(output.label, str(i)) for i, output in enumerate(steps.outputs)]
    return (note_text(result, notes, lang), html_out, steps, table, chart, beam, beam_rows,
            gr.Dropdown(choices=choices, value="0", interactive=True),
            gr.Slider(maximum=max(1, len(first.views) - 1), value=0, interactive=True),
            figures.step_figure(first, 0, steps.pieces, lang),
            {"settings": dataclasses.asdict(settings) | {"model_id": model_id, "strategies": core.chosen_kinds(kinds)},
             "comparison": record})


@dataclasses.dataclass(frozen=True)
class Drawn:
    """A finished comparison as its views show it, without the models' logits (a session's
    ``gr.State``): a change of language draws it again from here (``redraw``)."""
    result: core.Comparison       # its outputs' logits left out: the cards and metrics below hold their numbers
    rows: list[dict]              # the output cards (their labels are drawn again)
    metrics: list[core.Metrics]   # per strategy, in core.group_by_strategy's order
    notes: list[str]              # the notes' keys
    settings: dict                # the export's settings
    model_id: str


def drawn_of(result: core.Comparison, decoded: list[Decoded], notes: list[str], settings: dict, model_id: str,
             lang: str) -> Drawn:
    light = [dataclasses.replace(output, raw_logits=None, processed=None) for output in result.outputs]
    return Drawn(dataclasses.replace(result, outputs=light), [row for d in decoded for row in d.rows],
                 metrics_by_strategy(result, lang)[1], notes, settings, model_id)


def _decoding(settings: core.DecodingSettings, model_id, kinds, lang: str):
    """(frame, drawn) for ``decode``: ``drawn`` (``Drawn``) with the last frame, ``gr.skip()`` before."""
    strategies, notes = core.strategies(settings, kinds)
    model, tokenizer = models.load_causal_lm(model_id)
    prompt = core.comparison_prompt(model, tokenizer, settings.prompt, settings.new_tokens)
    decoded: list[Decoded] = []
    shown_at = None
    for strategy in strategies:
        # one turn at the CPU (components.live: one per core) per strategy, on one thread: token-by-
        # token decoding of the bundled GPT is many small products, like the tiny networks of
        # components/threads.py. On a busy 2-core machine bench.py's comparison took a median
        # 17.8 s on one thread and 280 s on two (3 interleaved runs each, load average 16). The
        # view due after a strategy is drawn in its turn; no turn is held across a yield.
        with live.CPU.turn(first=shown_at is None), one_thread():
            decoded.append(decode_strategy(model, tokenizer, prompt[0], strategy, settings, lang))
            result = comparison_of(prompt, decoded)
            frame, drawn = None, gr.skip()
            if len(decoded) == len(strategies):
                frame = final_frame(result, decoded, notes, settings, model_id, kinds, tokenizer, lang)
                drawn = drawn_of(result, decoded, notes, frame[-1]["settings"], model_id, lang)
            elif shown_at is None or time.monotonic() - shown_at >= max(PARTIAL_INTERVAL_S, live.CPU.frame_interval()):
                frame = partial_views(result, decoded, strategies[len(decoded):], notes, shown_at is None,
                                      tokenizer, lang)
        if frame is not None:
            shown_at = time.monotonic()
            yield frame, drawn


@handler(core.DecodingSettings)
def decode_kept(settings, model_id, kinds, lang: str):
    """``decode`` for the page: its last answer also keeps the comparison (``Drawn``) for a change
    of language."""
    for frame, drawn in _decoding(settings, model_id, kinds, lang):
        yield *frame, drawn


@handler(core.DecodingSettings)
def decode(settings, model_id, kinds, lang: str):
    """Run every chosen strategy on the prompt, one strategy per turn at the CPU, and stream the
    comparison as it grows: a first view after the first strategy (its outputs and metrics row,
    the others pending), then at most every ``PARTIAL_INTERVAL_S``; the last view shows every
    output, the metrics, the beam search and the first output's first step. The last answer (a
    gr.State, not in the API) keeps the settings and numbers for the export."""
    for frame, _ in _decoding(settings, model_id, kinds, lang):
        yield frame


@handler()
def show_step(steps, output, step, lang: str):
    """The next-token distribution at one step of one output (its index, "0" for the first) of
    the last comparison."""
    chosen, step = core.pick_step(steps, output, step)
    return figures.step_figure(chosen, step, steps.pieces, lang)


@handler(core.PromptSettings)
def sweep(settings, model_id, lang: str):
    """Entropy and distinct-2 against temperature for this prompt; the last answer (a gr.State)
    keeps the numbers for the export."""
    model, tokenizer = models.load_causal_lm(model_id)
    with live.CPU.turn(), one_thread():   # as in decode
        result = core.temperature_sweep(model, tokenizer, settings.prompt, settings.new_tokens, settings.seed)
        return figures.sweep_figure(result, lang), {"settings": dataclasses.asdict(settings) | {"model_id": model_id},
                                                    "sweep": result}


@handler()
def redraw(drawn, steps, output, step, swept, lang: str) -> tuple:
    """The last comparison and the last sweep again in the page's language (a change of language,
    components.links_ui), from what the session kept (``Drawn``, the step views, the sweep's
    numbers): no model call. The output and step picked stay. Nothing before a comparison was
    done, nor while one is under way (its first view emptied the output picker)."""
    skip = gr.skip()
    sweep_plot = figures.sweep_figure(swept["sweep"], lang) if swept else skip
    if not isinstance(drawn, Drawn) or steps is None or output in (None, ""):
        return (skip,) * 10 + (sweep_plot,)
    result, tokenizer = drawn.result, models.load_causal_lm(drawn.model_id)[1]   # cached
    labels = [figures.output_label(o, lang) for o in result.outputs]
    rows = [row | {"label": label} for row, label in zip(drawn.rows, labels)]
    steps = core.StepViews([dataclasses.replace(chosen, label=label) for chosen, label in zip(steps.outputs, labels)],
                           steps.pieces)
    group_labels = [figures.strategy_label(strategy, lang) for strategy, _ in core.group_by_strategy(result.outputs)]
    beam_plot = beam_rows = None
    if result.beam:
        piece = lambda t: steps.pieces.get(t) or token_piece(tokenizer, t)  # noqa: E731
        beam_plot = figures.beam_tree_figure(result.beam, piece, lang)
        beam_rows = figures.beam_table(result.beam, lambda ids: "".join(labels_for_ids(tokenizer, ids)), lang)
    try:
        chosen, step = core.pick_step(steps, output, step)
    except InputError:   # the picker is being refilled: its first output
        output, (chosen, step) = "0", core.pick_step(steps, "0", 0)
    record = comparison_record(result, steps, rows, group_labels, drawn.metrics, tokenizer)
    return (note_text(result, drawn.notes, lang), figures.outputs_html(rows, prompt_label(result, tokenizer), lang), steps,
            figures.metrics_table(group_labels, drawn.metrics, lang), figures.metrics_figure(group_labels, drawn.metrics, lang),
            beam_plot, beam_rows, gr.Dropdown(choices=[(label, str(i)) for i, label in enumerate(labels)], value=output),
            figures.step_figure(chosen, step, steps.pieces, lang), {"settings": drawn.settings, "comparison": record},
            sweep_plot)


@handler()
def export(comparison, swept, lang: str):
    """This session's last comparison (settings, outputs, per-step distributions, metrics, beam
    candidates) and last temperature sweep, as JSON."""
    if comparison is None and swept is None:
        raise InputError("export_nothing")
    settings = comparison["settings"] if comparison else swept["settings"]
    data = {"comparison": comparison and comparison["comparison"], "sweep": swept}   # the sweep with its own settings
    return [exports.result_json("decoding", settings, data)]


def apply_preset(name) -> list:
    """The preset's strategies, then every strategy parameter at its default (``STRATEGY_PARAMS``)."""
    values = defaults(core.DecodingSettings)
    return [list(PRESETS[name]), *(values[param] for param in STRATEGY_PARAMS)]


# ---------------------------------------------------------------------------------------------
# layout

# The strategies live twice on the page: as checkboxes, and as the text a shareable link sets and
# Copy link reads (core.StrategyChoice). Each mirrors the other in the page itself, at once, so a
# link's strategies are ticked before the link presses Compare. (A js function answers a list of
# outputs: the one output is wrapped in one.)
KINDS_FROM_TEXT_JS = f"(text) => [text.split(',').filter((kind) => {json.dumps(core.KINDS)}.includes(kind))]"
TEXT_FROM_KINDS_JS = "(kinds) => [kinds.join(',')]"

# The controls in a side column beside the views, so a projector (1280×720) shows the outputs
# without scrolling; on a phone the column stacks above them. The beam tree keeps a fixed width
# per step and scrolls sideways inside its box when it is wider.
CSS = """
#decoding_intro p { margin: 0; }
#decoding_beam_plot { overflow-x: auto !important; }
#decoding_beam_plot .js-plotly-plot { width: max-content; }
#decoding_outputs .dec-spinner { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.5em;
    vertical-align: -0.1em; border: 2px solid #f28e2b; border-right-color: transparent; border-radius: 50%;
    animation: dec-spin 1s linear infinite; }
@keyframes dec-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { #decoding_outputs .dec-spinner { animation: none; } }
"""


def layout() -> dict:
    """The lab's components, by name."""
    gr.Markdown(I18N("dec_intro"), elem_id="decoding_intro")
    settings = core.DecodingSettings
    c: dict = {}
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            c |= controls.build(settings, "decoding", ["prompt"], prompt={"lines": 2})
            with gr.Accordion(I18N("examples"), open=False):
                gr.Examples([[e] for e in core.EXAMPLES], inputs=[c["prompt"]], label=None)
            c["model_id"] = model_picker(models.CAUSAL_LM)
            c |= controls.build(settings, "decoding", ["new_tokens", "samples", "seed"])
            c["kinds"] = gr.CheckboxGroup([(I18N(f"dec_kind_{k}"), k) for k in core.KINDS],
                                          value=list(core.DEFAULT_KINDS), label=I18N("dec_strategies"),
                                          elem_id="decoding_kinds")
            c["strategies"] = gr.Textbox(core.StrategyChoice.strategies, visible=False, elem_id="decoding_strategies")
            c["preset"] = gr.Radio([(I18N(k), k) for k in PRESETS], label=I18N("dec_preset"),
                                   info=I18N("dec_preset_info"))
            with gr.Accordion(I18N("dec_settings"), open=False):
                for kind in core.KINDS:
                    gr.Markdown(I18N(f"dec_kind_{kind}"))
                    names = list(core.STRATEGY_FIELDS[kind])
                    c |= controls.build(settings, "decoding", names)
            c["run"] = gr.Button(I18N("dec_run"), variant="primary", elem_id="decoding_run")
            c["notes"] = gr.Markdown(elem_id="decoding_notes")
        with gr.Column(scale=3, min_width=320):
            c["steps"] = gr.State()
            c["record"] = gr.State()
            c["drawn"] = gr.State()   # the last comparison, for a change of language (``Drawn``)
            # the output picked, as text: the picker itself holds no valid choice before a comparison,
            # and the input check would refuse it (the redraw reads this instead)
            c["picked"] = gr.Textbox("", visible=False)
            c["sweep_record"] = gr.State()
            with gr.Tabs(elem_id="decoding_views"):
                with gr.Tab(I18N("dec_outputs"), id="outputs"):
                    c["outputs_html"] = gr.HTML(elem_id="decoding_outputs")
                with gr.Tab(I18N("dec_distribution"), id="distribution"):
                    with gr.Row():
                        # both wait for a comparison to walk through
                        c["output_pick"] = gr.Dropdown(choices=[], label=I18N("dec_output_pick"), scale=2,
                                                       min_width=240, interactive=False)
                        c["step"] = gr.Slider(0, NEW_TOKENS.high - 1, value=0, step=1, label=I18N("dec_step"),
                                              scale=3, min_width=240, interactive=False, elem_id="decoding_step")
                    c["distribution"] = gr.Plot(show_label=False, elem_id="decoding_distribution")
                with gr.Tab(I18N("dec_beam_tree"), id="beam"):
                    gr.Markdown(I18N("dec_beam_none"))
                    c["beam_plot"] = gr.Plot(show_label=False, elem_id="decoding_beam_plot")
                    c["beam_table"] = gr.Dataframe(interactive=False, wrap=True, max_height=320,
                                                   column_widths=[320, 80, 70, 130, 110],
                                                   elem_id="decoding_beam_table")
                with gr.Tab(I18N("dec_metrics"), id="metrics"):
                    c["metrics_table"] = gr.Dataframe(interactive=False, elem_id="decoding_metrics_table")
                    c["metrics_plot"] = gr.Plot(show_label=False, elem_id="decoding_metrics_plot")
                with gr.Tab(I18N("dec_sweep"), id="sweep"):
                    c["sweep_run"] = gr.Button(I18N("dec_sweep_run"), elem_id="decoding_sweep_run")
                    c["sweep_plot"] = gr.Plot(show_label=False, elem_id="decoding_sweep_plot")
                with gr.Tab(I18N("dec_explain"), id="explain"):
                    explanation("dec_explain_md")
            with gr.Row():
                c["copy_link"] = links_ui.copy_link("decoding")
                c["export"], c["export_files"] = export_panel("decoding")
    return c


# ---------------------------------------------------------------------------------------------
# wiring


def build_tab(blocks: gr.Blocks) -> links_ui.Linkable:
    """Nothing runs on page load: a comparison costs about a second of CPU, and a classroom
    opening the page at once should not queue behind it. A link sets the settings and the
    strategies, then presses Compare."""
    c = layout()
    c["run"].click(decode_kept, [*controls.inputs(core.DecodingSettings, c), c["model_id"], c["kinds"]],
                   [c[k] for k in ("notes", "outputs_html", "steps", "metrics_table", "metrics_plot", "beam_plot",
                                   "beam_table", "output_pick", "step", "distribution", "record", "drawn")],
                   api_name="decode", **queue("live"))
    gr.on([c["output_pick"].input, c["step"].input], show_step, [c["steps"], c["output_pick"], c["step"]],
          [c["distribution"]], api_name="decoding_step", trigger_mode="always_last", **queue("control"))
    c["sweep_run"].click(sweep, [*controls.inputs(core.PromptSettings, c), c["model_id"]],
                         [c["sweep_plot"], c["sweep_record"]], api_name="decoding_sweep", **queue("heavy"))
    c["export"].click(export, [c["record"], c["sweep_record"]], [c["export_files"]], api_name="decoding_export",
                      **queue("control"))
    c["preset"].input(apply_preset, [c["preset"]], [c["kinds"], *(c[name] for name in STRATEGY_PARAMS)],
                      api_visibility="private", **queue("control"))
    c["strategies"].change(None, [c["strategies"]], [c["kinds"]], js=KINDS_FROM_TEXT_JS, api_visibility="private")
    c["kinds"].change(None, [c["kinds"]], [c["strategies"]], js=TEXT_FROM_KINDS_JS, api_visibility="private")
    # a change of language draws again what is drawn (components.links_ui), from what was kept
    c["output_pick"].change(None, [c["output_pick"]], [c["picked"]], js="(pick) => [pick ?? '']",
                            api_visibility="private", queue=False)
    again = links_ui.Redraw(redraw, [c["drawn"], c["steps"], c["picked"], c["step"], c["sweep_record"]],
                            [c[k] for k in ("notes", "outputs_html", "steps", "metrics_table", "metrics_plot",
                                            "beam_plot", "beam_table", "output_pick", "distribution", "record",
                                            "sweep_plot")])
    return links_ui.Linkable((core.DecodingSettings, core.StrategyChoice), c, c["run"], c["copy_link"], (again,))
