"""The live-training panel every training lab shows: Start, Pause, Resume, Step, Reset, and the
per-session state behind them (``components.live``). A lab places ``buttons(prefix)`` in its
layout and wires its module-level handlers with ``wire``; the API names are
``<prefix>_start``, ``<prefix>_pause``, ``<prefix>_resume``, ``<prefix>_step``, ``<prefix>_reset``.
"""

from __future__ import annotations

import dataclasses

import gradio as gr

from components import live
from components.queueing import queue
from components.ui import I18N

# A session's state is dropped this long after its browser tab closed (or, for an API client,
# after its last call); its run stops at once (``LiveSession.close``).
SESSION_TTL_S = 3600


@dataclasses.dataclass(frozen=True)
class LiveButtons:
    start: gr.Button
    pause: gr.Button
    resume: gr.Button
    step: gr.Button
    reset: gr.Button


def session_state() -> gr.State:
    """A ``LiveSession`` per browser session, freed (and its run stopped) when the session ends."""
    return gr.State(live.LiveSession(), time_to_live=SESSION_TTL_S, delete_callback=live.LiveSession.close)


def buttons(prefix: str, step: bool = True) -> LiveButtons:
    """One row of buttons, with ids ``<prefix>_start`` … (tests press them by id)."""
    with gr.Row():
        start = gr.Button(I18N("live_start"), variant="primary", min_width=80, elem_id=f"{prefix}_start")
        pause = gr.Button(I18N("live_pause"), min_width=80, elem_id=f"{prefix}_pause")
        resume = gr.Button(I18N("live_resume"), min_width=80, elem_id=f"{prefix}_resume")
        step_button = gr.Button(I18N("live_step"), min_width=80, elem_id=f"{prefix}_step", visible=step)
        reset = gr.Button(I18N("live_reset"), min_width=80, elem_id=f"{prefix}_reset")
    return LiveButtons(start, pause, resume, step_button, reset)


def _pause(session) -> None:
    """Ask this session's training to stop; its stream shows the paused run within a slice."""
    live.pause(session)


def wire(prefix: str, panel: LiveButtons, state: gr.State, outputs: list, *, start, start_inputs: list,
         resume, resume_inputs: list, step, step_inputs: list, reset, reset_inputs: list) -> None:
    """Connect the panel: each handler takes its inputs, then the session, and returns or yields
    (session, *outputs)."""
    everything = [state, *outputs]
    panel.start.click(start, [*start_inputs, state], everything, api_name=f"{prefix}_start", **queue("live"))
    panel.resume.click(resume, [*resume_inputs, state], everything, api_name=f"{prefix}_resume", **queue("live"))
    panel.pause.click(_pause, [state], None, api_name=f"{prefix}_pause", **queue("control"))
    panel.step.click(step, [*step_inputs, state], everything, api_name=f"{prefix}_step", **queue("step"))
    panel.reset.click(reset, [*reset_inputs, state], everything, api_name=f"{prefix}_reset", **queue("step"))
