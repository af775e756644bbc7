"""Transformer lab tab: handlers, then layout, then wiring; the maths lives in model.py, core.py
and induction.py, the pictures in figures.py.

Two experiments, one shown at a time (the ``experiment`` radio):

- the encoder–decoder on a task. The live-training handlers answer ``(status, curves, attention,
  decoding, forcing, schedule)``, through ``components.live``; the views decode the typed
  ``text`` with the model as it is at each frame. API, the settings being the fields of
  ``core.TransformerSettings`` in order, then ``text, part, layer, head`` of ``core.ViewSettings``:
  ``/transformer_start`` (settings…, view…), ``/transformer_pause`` (),
  ``/transformer_resume`` (steps), ``/transformer_step`` (settings…, view…),
  ``/transformer_reset`` (settings…, view…); ``/transformer_decode`` (text, part, layer, head):
  the session's model on that input, answering ``(attention, decoding, forcing)``.
- induction heads: ``/transformer_ind_start`` (settings…), ``_pause``, ``_resume`` (ind_steps),
  ``_step``, ``_reset`` (settings…), the settings being the fields of
  ``induction.InductionSettings``; they answer ``(status, curves, the two heads' patterns)``.

``/transformer_export`` (experiment): that experiment's run as JSON (settings, curves, the
numbers behind the views) and its curves as CSV.
"""

from __future__ import annotations

import dataclasses
import math
import time

import gradio as gr

from components import controls, exports, links_ui, live, live_ui
from components.handlers import handler
from components.i18n import InputError, translate
from components.queueing import queue
from components.settings import check_value
from components.settings import controls as setting_controls
from components.ui import I18N, explanation, export_panel
from demos.transformer import core, figures, induction, tasks

S, V, I = core.TransformerSettings, core.ViewSettings, induction.InductionSettings
STEPS = setting_controls(S)["steps"]
IND_STEPS = setting_controls(I)["ind_steps"]
VIEW_FIELDS = ("text", "part", "layer", "head")   # the view fields a seq2seq handler takes
# While a run trains, the views that run the model on an example (the typed input decoded step
# by step; the induction heads' patterns) are redrawn at most this often; the curves and the
# status come with every frame. Decoding one input costs about as much as a training step:
# measured on the default reverse run (busy 2-core machine, medians of 3), streaming took 1.41x
# the headless time when every frame decoded, 1.03x at once a second.
DECODED_EVERY_S = 1.0
STATUS_BREAK = "  \n"   # a line break inside one paragraph: the status stays three short lines

# The button a shareable link presses: it presses the Start of the experiment the link chose
# (components.links_ui presses one button per lab). The induction column may still be appearing
# after the link switched to it, so the press waits for its Start to be on the page (up to 10 s).
LINK_RUN_JS = """
(experiment) => {
  const id = experiment === "induction" ? "transformer_ind_start" : "transformer_start";
  const started = Date.now();
  const press = () => {
    const button = document.getElementById(id);
    if (button) button.click();
    else if (Date.now() - started < 10000) setTimeout(press, 200);
  };
  press();
}
"""

# the link button is pressed by the page only; the page never shows it. A formula wider than a
# phone scrolls inside its panel instead of widening the page.
CSS = """
#transformer_link_run { display: none !important; }
.transformer-explain .katex-display { overflow-x: auto; overflow-y: hidden; }
"""


@dataclasses.dataclass
class Shown:
    """What this session's views show (``gr.State``): the live frames read it, so a new input
    or head chosen while the model trains appears in the next frame."""
    view: core.ViewSettings = core.VIEW_DEFAULTS
    refused: InputError | None = None   # why the typed input gave way to the task's example


# ---------------------------------------------------------------------------------------------
# handlers: the encoder–decoder


def _percent(value: float) -> str:
    return f"{value:.0%}"


def status_text(run: core.TransformerRun, note: str, lang: str, refused: InputError | None = None) -> str:
    tr = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    lines = [f"{tr('tr_status_iter', iteration=run.iteration)} · {note}"]
    if refused is not None:
        lines.append(tr("tr_status_refused", why=translate(refused.key, lang, **refused.values),
                        example=run.task.example))
    if run.evaluations:
        e = run.evaluations[-1]
        lines.append(tr("tr_status_eval", n=len(run.held_out), iteration=e.iteration, loss=f"{e.loss:.3f}",
                        tokens=_percent(e.token_accuracy), exact=_percent(e.exact_accuracy)))
    else:
        lines.append(tr("tr_status_no_eval", every=core.LIMITS.eval_every))
    lines.append(tr("tr_status_lr", lr=f"{run.lr():.2e}"))
    return STATUS_BREAK.join(lines)


def view_figures(run: core.TransformerRun, view: core.ViewSettings, lang: str) -> tuple:
    """(attention, decoding, forcing) of the typed input through the model as it is now."""
    seen = core.inspect(run, view.text)
    head = core.head_index(view)
    attention = (figures.heads_figure(seen, view.part, view.layer, lang) if head is None
                 else figures.attention_figure(seen, view.part, view.layer, head, lang))
    return attention, figures.decoding_figure(seen, view.layer, head, lang), figures.forcing_figure(seen, lang)


def live_views(run: core.TransformerRun, shown: Shown, note: str, lang: str, decoded: bool = True) -> tuple:
    """(status, curves, attention, decoding, forcing, schedule) of the run now; without
    ``decoded``, the last four are left as the page has them (``gr.skip()``)."""
    status = status_text(run, note, lang, shown.refused)
    if not decoded:
        return status, figures.curves_figure(run, lang), *[gr.skip()] * 4
    horizon = max(run.target, run.iteration, 1)
    return (status, figures.curves_figure(run, lang), *view_figures(run, shown.view, lang),
            figures.schedule_figure(run.settings, horizon, run.iteration, lang))


def renderer(lang: str, shown: Shown):
    # a clock per language: after a change of language (links_ui.noted) the decoded views come at once
    clocks, drawn_view = {}, [None]

    def render(run, note, now):
        view = shown.view
        due = clocks.setdefault(now, live.slow_views_clock(now, DECODED_EVERY_S))
        decoded = due(note, view != drawn_view[0])
        if decoded:
            drawn_view[0] = view
        return live_views(run, shown, note, now, decoded)

    return links_ui.noted(render, lang)


def _shown(value) -> Shown:
    """The session's view state; a fresh one when the API sent none."""
    return value if isinstance(value, Shown) else Shown()


def checked_view(settings: core.TransformerSettings, text, part, layer, head) -> core.ViewSettings:
    """The view, every value checked, the layer and head checked against the model the settings
    build, the text against its task (stripped)."""
    view = core.validated_view(text=text, part=part, layer=layer, head=head)
    core.check_view(view, settings)
    return dataclasses.replace(view, text=tasks.validated_source(tasks.TASKS[settings.task], view.text))


def show_for_run(shown, settings: core.TransformerSettings, text, part, layer, head) -> Shown:
    """The view of a run about to start, step or reset. A typed input its task cannot read (a
    link that chose a task and no input, say) does not stop the run: the views decode the task's
    example, and the status says why (``/transformer_decode`` refuses such input outright)."""
    shown = _shown(shown)
    try:
        shown.view, shown.refused = checked_view(settings, text, part, layer, head), None
    except InputError as error:
        if not error.key.startswith("tr_err_") or error.key in ("tr_err_layer", "tr_err_head"):
            raise   # a control's own value (part, layer, head, an absurd length): refused
        example = tasks.TASKS[settings.task].example
        shown.view, shown.refused = checked_view(settings, example, part, layer, head), error
    return shown


@handler(S)
def start(settings, text, part, layer, head, shown, session, lang: str):
    """A fresh run from the settings, trained for ``settings.steps`` while streaming."""
    shown = show_for_run(shown, settings, text, part, layer, head)
    yield from live.start(live.session_of(session), core.TransformerRun(settings), settings.steps,
                          renderer(lang, shown), lang)


@handler()
def resume(steps, shown, session, lang: str):
    """Continue this session's run (to its target, or ``steps`` further once reached)."""
    more = check_value(STEPS, steps)
    yield from live.resume(live.session_of(session), more, renderer(lang, _shown(shown)), lang)


@handler(S)
def step(settings, text, part, layer, head, shown, session, lang: str):
    """One iteration of this session's run; a fresh run from the settings when there is none yet."""
    session = live.session_of(session)
    shown = show_for_run(shown, session.run.settings if session.run is not None else settings, text, part, layer,
                         head)
    return live.step(session, lambda: core.TransformerRun(settings), renderer(lang, shown), lang)


@handler(S)
def reset(settings, text, part, layer, head, shown, session, lang: str):
    """A fresh run from the settings at iteration 0 (any training stream of this session stops)."""
    shown = show_for_run(shown, settings, text, part, layer, head)
    return live.reset(live.session_of(session), core.TransformerRun(settings), renderer(lang, shown), lang)


@handler()
def decode(text, part, layer, head, shown, session, lang: str):
    """The session's model on a typed input, with the attention chosen: (attention, decoding,
    forcing). While the run trains, its next frames show this input too."""
    run = getattr(session, "run", None)
    if run is None:
        raise InputError("tr_err_no_run")
    view = checked_view(run.settings, text, part, layer, head)
    with live.CPU.turn(), session.lock:   # a training slice takes the same lock
        drawn = view_figures(run, view, lang)
    shown = _shown(shown)
    shown.view, shown.refused = view, None
    return drawn


def fit_input(task, text):
    """The typed input when the task can read it, else the task's example (the task changed)."""
    task = tasks.TASKS.get(task)
    if task is None:
        return gr.skip()
    try:
        tasks.validated_source(task, text)
        return gr.skip()
    except InputError:
        return task.example


def fit_view(layers, heads, layer, head):
    """Keep the layer and head shown inside a model that got fewer layers or heads."""
    try:
        last_layer, heads, layer = int(layers) - 1, int(heads), int(layer)
    except (TypeError, ValueError):
        return gr.skip(), gr.skip()
    missing_head = str(head).isdigit() and int(head) >= heads
    return min(layer, max(0, last_layer)), core.ALL_HEADS if missing_head else head


def show_experiment(experiment):
    return gr.Column(visible=experiment != "induction"), gr.Column(visible=experiment == "induction")


# ---------------------------------------------------------------------------------------------
# handlers: induction heads


def induction_status(run: induction.InductionRun, note: str, lang: str) -> str:
    tr = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    lines = [f"{tr('tr_status_iter', iteration=run.iteration)} · {note}"]
    if run.evaluations:
        e = run.evaluations[-1]
        prev_head, ind_head = int(e.previous_token[0].argmax()), int(e.induction[1].argmax())
        lines.append(tr("tr_ind_status_eval", iteration=e.iteration, first=f"{e.first_half_loss:.2f}",
                        second=f"{e.second_half_loss:.2f}", induction=f"{e.induction[1, ind_head]:.2f}",
                        ind_head=ind_head, previous=f"{e.previous_token[0, prev_head]:.2f}", prev_head=prev_head))
    else:
        lines.append(tr("tr_ind_status_no_eval", every=induction.INDUCTION_LIMITS.eval_every))
    return STATUS_BREAK.join(lines)


def induction_views(run: induction.InductionRun, note: str, lang: str, example: bool = True) -> tuple:
    """(status, curves, the two heads on one sequence); without ``example`` the heads are left
    as the page has them."""
    heads = figures.induction_example_figure(induction.example(run), lang) if example else gr.skip()
    return induction_status(run, note, lang), figures.induction_curves_figure(run, lang), heads


def induction_renderer(lang: str):
    clocks = {}   # one per language, as in ``renderer``

    def render(run, note, now):
        due = clocks.setdefault(now, live.slow_views_clock(now, DECODED_EVERY_S))
        return induction_views(run, note, now, due(note))

    return links_ui.noted(render, lang)


@handler(I)
def induction_start(settings, session, lang: str):
    yield from live.start(live.session_of(session), induction.InductionRun(settings), settings.ind_steps,
                          induction_renderer(lang), lang)


@handler()
def induction_resume(ind_steps, session, lang: str):
    more = check_value(IND_STEPS, ind_steps)
    yield from live.resume(live.session_of(session), more, induction_renderer(lang), lang)


@handler(I)
def induction_step(settings, session, lang: str):
    return live.step(live.session_of(session), lambda: induction.InductionRun(settings), induction_renderer(lang),
                     lang)


@handler(I)
def induction_reset(settings, session, lang: str):
    return live.reset(live.session_of(session), induction.InductionRun(settings), induction_renderer(lang), lang)


# ---------------------------------------------------------------------------------------------
# handlers: a change of language


@handler()
def redraw(shown, session, lang: str) -> tuple:
    """The encoder–decoder's views again in the page's language (a change of language,
    components.links_ui): its run at rest, as it stands, with the input the views show (one
    pass of the small model, as a frame at rest draws); a run training now sends its next frame
    in the new language, and a session without a run has nothing drawn."""
    rest = links_ui.at_rest(session, lang)
    if rest is None:
        return (gr.skip(),) * 6
    with session.lock:
        return live_views(rest[0], _shown(shown), rest[1], lang)


@handler()
def induction_redraw(session, lang: str) -> tuple:
    """The induction run's views again in the page's language, at rest only (as ``redraw``)."""
    rest = links_ui.at_rest(session, lang)
    if rest is None:
        return (gr.skip(),) * 3
    with session.lock:
        return induction_views(*rest, lang)


# ---------------------------------------------------------------------------------------------
# handlers: export


def _every_iteration(at: list[int], values: list[float], length: int) -> list[float]:
    """A value measured at iterations ``at`` as a column over 1..length (NaN in between: blank in CSV)."""
    column = [math.nan] * length
    for iteration, value in zip(at, values):
        column[iteration - 1] = value
    return column


def _seq2seq_files(run: core.TransformerRun, view: core.ViewSettings) -> list[str]:
    try:
        seen = core.inspect(run, view.text)
    except InputError:   # an API session that never chose an input for this task
        view = dataclasses.replace(view, text=run.task.example)
        seen = core.inspect(run, view.text)
    steps, rates = core.schedule(run.settings, max(run.iteration, 1))
    data = {"iteration": run.iteration, "train_loss": run.train_loss, "held_out": run.evaluations,
            "held_out_inputs": run.held_out, "learning_rate": {"step": steps, "rate": rates},
            "view": view, "decoded": seen}
    at = [e.iteration for e in run.evaluations]
    n = run.iteration
    curves = {"train_loss": run.train_loss,
              "held_out_loss": _every_iteration(at, [e.loss for e in run.evaluations], n),
              "held_out_token_accuracy": _every_iteration(at, [e.token_accuracy for e in run.evaluations], n),
              "held_out_exact_accuracy": _every_iteration(at, [e.exact_accuracy for e in run.evaluations], n),
              "learning_rate": rates[:n].tolist()}
    return [exports.result_json("transformer", run.settings, data), exports.curves_csv("transformer", curves)]


def _induction_files(run: induction.InductionRun) -> list[str]:
    data = {"iteration": run.iteration, "first_half_loss": run.first_half_loss,
            "second_half_loss": run.second_half_loss, "scored": run.evaluations, "example": induction.example(run)}
    at, n = [e.iteration for e in run.evaluations], run.iteration
    curves = {"first_half_loss": run.first_half_loss, "second_half_loss": run.second_half_loss}
    for h in range(run.settings.ind_heads):
        curves[f"previous_token_l0_h{h}"] = _every_iteration(at, [e.previous_token[0, h] for e in run.evaluations], n)
    for h in range(run.settings.ind_heads):
        curves[f"induction_l1_h{h}"] = _every_iteration(at, [e.induction[1, h] for e in run.evaluations], n)
    return [exports.result_json("transformer_induction", run.settings, data),
            exports.curves_csv("transformer_induction", curves)]


@handler()
def export(experiment, shown, session, induction_session, lang: str):
    """The chosen experiment's run: settings, curves and the numbers behind its views as JSON,
    its curves as CSV."""
    experiment = check_value(setting_controls(V)["experiment"], experiment)
    chosen = induction_session if experiment == "induction" else session
    run = getattr(chosen, "run", None)
    if run is None:
        raise InputError("export_nothing")
    with chosen.lock:
        if experiment == "induction":
            return _induction_files(run)
        return _seq2seq_files(run, _shown(shown).view)


# ---------------------------------------------------------------------------------------------
# layout


def _seq2seq_layout() -> dict:
    c: dict = {"session": live_ui.session_state(),
               "shown": gr.State(Shown(), time_to_live=live_ui.SESSION_TTL_S)}
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            c |= controls.build(S, "transformer", ["task"])
            c |= controls.build(V, "transformer", ["text"], text={"info": I18N("tr_input_info")})
            c["decode"] = gr.Button(I18N("tr_decode"), size="sm", elem_id="transformer_decode")
            c |= controls.build(V, "transformer", ["part"])
            # one control a line: in the ~300-px side column two sliders in a row overran it
            c |= controls.build(V, "transformer", ["layer", "head"])
            with gr.Accordion(I18N("tr_model_box"), open=False):
                c |= controls.build(S, "transformer", ["layers", "heads", "d_model", "dropout", "norm", "warmup",
                                                       "lr_scale", "batch"])
            c |= controls.build(S, "transformer", ["seed", "steps"])
            gr.Markdown(I18N("tr_settings_info"))
        with gr.Column(scale=3, min_width=300):
            c["panel"] = live_ui.buttons("transformer")
            c["status"] = gr.Markdown(elem_id="transformer_status")
            with gr.Row():
                c["curves"] = gr.Plot(show_label=False, min_width=300, elem_id="transformer_curves")
                c["attention"] = gr.Plot(show_label=False, min_width=300, elem_id="transformer_attention")
            with gr.Accordion(I18N("tr_how_model"), open=False, elem_classes="transformer-explain"):
                explanation("tr_model_md")
                explanation("tr_attention_md")
    with gr.Row():
        c["decoding"] = gr.Plot(show_label=False, min_width=300, elem_id="transformer_decoding")
        c["forcing"] = gr.Plot(show_label=False, min_width=300, elem_id="transformer_forcing")
    with gr.Accordion(I18N("tr_how_decoding"), open=False, elem_classes="transformer-explain"):
        explanation("tr_decoding_md")
    with gr.Row():
        c["schedule"] = gr.Plot(show_label=False, min_width=300, elem_id="transformer_schedule")
        with gr.Column(min_width=300, elem_classes="transformer-explain"):
            explanation("tr_schedule_md")
    return c


def _induction_layout() -> dict:
    c: dict = {"session": live_ui.session_state()}
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            gr.Markdown(I18N("tr_ind_info"))
            c |= controls.build(I, "transformer", ["ind_vocab", "ind_half", "ind_d_model", "ind_heads", "ind_lr",
                                                   "ind_batch"])
            c |= controls.build(I, "transformer", ["ind_seed", "ind_steps"])
        with gr.Column(scale=3, min_width=300):
            c["panel"] = live_ui.buttons("transformer_ind")
            c["status"] = gr.Markdown(elem_id="transformer_ind_status")
            with gr.Row():
                c["curves"] = gr.Plot(show_label=False, min_width=300, elem_id="transformer_ind_curves")
                c["example"] = gr.Plot(show_label=False, min_width=300, elem_id="transformer_ind_example")
            with gr.Accordion(I18N("tr_how_induction"), open=True, elem_classes="transformer-explain"):
                explanation("tr_induction_md")
    return c


def layout() -> dict:
    """The lab's components, by name (each experiment's under its own). Nothing trains on page
    load. The curves and the attention sit beside the controls, at the top, so a projected page
    shows them without scrolling."""
    with gr.Row(equal_height=True):   # one band: a projected page keeps its height for the figures
        with gr.Column(scale=4, min_width=300):
            gr.Markdown(I18N("tr_intro"))
        with gr.Column(scale=2, min_width=300):
            c: dict = controls.build(V, "transformer", ["experiment"],
                                     experiment={"show_label": False, "container": False})
    with gr.Column() as c["seq2seq_box"]:
        c["seq2seq"] = _seq2seq_layout()
    with gr.Column(visible=False) as c["induction_box"]:
        c["induction"] = _induction_layout()
    with gr.Row():
        c["copy_link"] = links_ui.copy_link("transformer")
        c["export"], c["export_files"] = export_panel("transformer")
        c["link_run"] = gr.Button("", elem_id="transformer_link_run")
    return c


# ---------------------------------------------------------------------------------------------
# wiring


def build_tab(blocks: gr.Blocks) -> links_ui.Linkable:
    c = layout()
    seq, ind = c["seq2seq"], c["induction"]
    settings, view, ind_settings = controls.inputs(S, seq), [seq[f] for f in VIEW_FIELDS], controls.inputs(I, ind)
    session, shown = seq["session"], seq["shown"]
    live_ui.wire("transformer", seq["panel"], session,
                 [seq["status"], seq["curves"], seq["attention"], seq["decoding"], seq["forcing"], seq["schedule"]],
                 start=start, start_inputs=[*settings, *view, shown], resume=resume,
                 resume_inputs=[seq["steps"], shown], step=step, step_inputs=[*settings, *view, shown],
                 reset=reset, reset_inputs=[*settings, *view, shown])
    decoded = [seq["attention"], seq["decoding"], seq["forcing"]]
    seq["decode"].click(decode, [*view, shown, session], decoded, api_name="transformer_decode", **queue("heavy"))
    for event in (seq["text"].submit, seq["part"].input, seq["layer"].release, seq["head"].input):
        event(decode, [*view, shown, session], decoded, api_visibility="private", **queue("heavy"))
    # .input, not .change: a link sets the task and its input together, and a change event could
    # read the input before the link's value landed
    seq["task"].input(fit_input, [seq["task"], seq["text"]], [seq["text"]], api_visibility="private", queue=False)
    for size in (seq["layers"], seq["heads"]):
        size.input(fit_view, [seq["layers"], seq["heads"], seq["layer"], seq["head"]], [seq["layer"], seq["head"]],
                    api_visibility="private", queue=False)
    live_ui.wire("transformer_ind", ind["panel"], ind["session"], [ind["status"], ind["curves"], ind["example"]],
                 start=induction_start, start_inputs=ind_settings, resume=induction_resume,
                 resume_inputs=[ind["ind_steps"]], step=induction_step, step_inputs=ind_settings,
                 reset=induction_reset, reset_inputs=ind_settings)
    c["experiment"].change(show_experiment, [c["experiment"]], [c["seq2seq_box"], c["induction_box"]],
                           api_visibility="private", queue=False)
    c["export"].click(export, [c["experiment"], shown, session, ind["session"]], [c["export_files"]],
                      api_name="transformer_export", **queue("step"))
    c["link_run"].click(None, [c["experiment"]], None, js=LINK_RUN_JS, api_visibility="private", queue=False)
    linked = {"experiment": c["experiment"], **{n: seq[n] for n in [*setting_controls(S), *VIEW_FIELDS]},
              **{n: ind[n] for n in setting_controls(I)}}
    # a change of language draws again what is drawn (components.links_ui)
    redraws = (links_ui.Redraw(redraw, [shown, session], [seq["status"], seq["curves"], *decoded, seq["schedule"]]),
               links_ui.Redraw(induction_redraw, [ind["session"]], [ind["status"], ind["curves"], ind["example"]]))
    return links_ui.Linkable((S, V, I), linked, c["link_run"], c["copy_link"], redraws)
