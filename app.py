"""AIGC Playground: one Gradio app, one tab per lab.

``import app`` builds ``demo`` and loads no model (loaders are lazy and cached). The labs come
from the registry (``demos.labs()``): each package under ``demos/`` that declares a ``LAB``.
``python app.py`` serves it on 127.0.0.1:7860; PORT, GRADIO_SERVER_NAME and GRADIO_SERVER_PORT
override the address (a Hugging Face Space sets GRADIO_SERVER_NAME=0.0.0.0).
"""

from __future__ import annotations

import logging
import os

import gradio as gr

import demos
from components import gradio_fixes, input_guard, links_ui, live, plot_fit, threads
from components.queueing import GROUPS, MAX_QUEUE, SESSIONS_KEPT, WORKER_THREADS
from components.ui import I18N, translations

# A projected class sees 1280×720: the page's own header stays one short line, so each lab's
# first picture starts high; on a phone (390 px) rows wrap instead of overflowing.
CSS = """
.gradio-container { max-width: 1400px !important; padding-top: 4px !important; }
#app_header { gap: 12px; align-items: baseline; }
#app_header p { margin: 0; }
#app_title { flex: 0 0 auto !important; font-size: 1.25rem; }
/* a dropdown's value stops short of its arrow (which gradio lays over the input) */
.gradio-container input[role="combobox"] { padding-right: 24px !important; text-overflow: ellipsis; }
/* an export panel before its first export: one line, not gradio's 236-px empty drop zone */
[id$="_export_files"] .empty { min-height: 0 !important; height: 44px !important; }
@media (max-width: 640px) {
  .gradio-container { padding-left: 4px !important; padding-right: 4px !important; }
  .gradio-container .row { flex-wrap: wrap !important; }
  .gradio-container .row > * { min-width: min(100%, 320px) !important; }
}
"""


def build_demo() -> gr.Blocks:
    # delete_cache: files handed to the page (e.g. trajectory GIFs) leave gradio's cache after an hour
    with gr.Blocks(title="AIGC Playground", delete_cache=(3600, 3600)) as blocks:
        with gr.Row(elem_id="app_header"):
            gr.Markdown(I18N("app_title"), elem_id="app_title")
            gr.Markdown(I18N("app_intro"))
        link_notice = gr.Markdown(visible=False, elem_id="link_notice")
        linkables = {}
        with gr.Tabs() as tabs:
            for lab in demos.labs():
                with gr.Tab(I18N(lab.tab_label), id=lab.key):
                    view = lab.build(blocks)
                if view is not None:
                    linkables[lab.key] = view
        links_ui.install(blocks, tabs, link_notice, linkables)
        blocks.unload(end_session)
    # images reach the cache whole when learners get the same one at once; a long stream keeps
    # its messages however many sessions come (before blocks.queue, which builds the queue)
    gradio_fixes.install()
    # an event that names no group of components/queueing.py runs one at a time per function
    blocks.queue(default_concurrency_limit=GROUPS["heavy"], max_size=MAX_QUEUE)
    input_guard.install(blocks)
    return blocks


def end_session(request: gr.Request) -> None:
    """A browser tab has closed: stop its live runs and free its state now (gradio would keep
    it an hour). Runs on gradio's event loop, so it only sets flags and drops references.
    The whole session is dropped, not only its values: a stream still running writes its
    session back into the state it started with when it yields, and that write must land in
    a state nobody holds (emptying the values left the next write to resurrect the session)."""
    holder = demo.state_holder
    with holder.lock:
        state = holder.session_data.pop(request.session_hash, None)
        holder.time_last_used.pop(request.session_hash, None)
    if state is not None:
        for value in list(state.state_data.values()):
            if isinstance(value, live.LiveSession):
                value.close()


threads.share_the_interpreter()   # torch's threads get the interpreter back quickly (components/threads.py)
demo = build_demo()


def launch_kwargs() -> dict:
    """Server address from the environment, and the options gradio 6 takes at launch."""
    port = os.environ.get("GRADIO_SERVER_PORT") or os.environ.get("PORT") or "7860"
    return dict(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(port),
        i18n=translations(),
        css=CSS + "".join(lab.css() for lab in demos.labs()),
        head=links_ui.HEAD + plot_fit.HEAD,   # plot_fit: titles and panel grids that fit a phone
        footer_links=["api", "gradio", "settings"],
        max_threads=WORKER_THREADS,
        state_session_capacity=SESSIONS_KEPT,
    )


def serve(**kwargs) -> None:
    """Start the training worker processes (components.trainers), so the first learner to press
    Start does not wait for them to import torch, then serve the app."""
    live.TRAINERS.start(preload=tuple(module for lab in demos.labs() for module in lab.run_modules))
    demo.launch(**kwargs)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(**launch_kwargs())
