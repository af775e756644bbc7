"""Shareable links in the page (``components/links.py`` reads them).

A lab's ``build_tab`` returns a ``Linkable``: the settings classes a link may set, their controls
by field name, the button a link presses once the controls are set, and its "Copy link" button
(``copy_button``). ``install`` (called by app.py after every tab is built) wires, once for the
whole page:

- on page load, the query is checked (``links.parse_query``): the lab's tab is selected, its
  controls set, the hidden ones hidden, a notice shown for anything refused — then the lab's
  main button is pressed by the page itself, exactly as a learner would;
- each lab's "Copy link" button: the page builds the link from the controls' current values and
  copies it (and shows it, for browsers that refuse clipboard access).

``HEAD`` (given to ``launch(head=…)``) applies ``lang=`` as the page starts and keeps a cookie
``aigc_lang`` equal to the page's language, so text the server composes follows the language the
learner chose, whichever way they chose it (``components.errors.request_language`` reads it).
"""

from __future__ import annotations

import dataclasses
import json

import gradio as gr

from components import links
from components.settings import controls, defaults
from components.ui import I18N


@dataclasses.dataclass(frozen=True)
class CopyLink:
    button: gr.Button                  # "Copy link"
    shown: gr.Textbox                  # the link, shown once made (for browsers that refuse the clipboard)


@dataclasses.dataclass(frozen=True)
class Linkable:
    settings: tuple                    # settings dataclasses whose fields a link may set
    controls: dict                     # field name -> component
    run: gr.Button | None              # pressed after a link set the controls (None: nothing runs)
    copy: CopyLink                     # the lab's "Copy link" button (``copy_link``)

    def names(self) -> list[str]:
        return [name for cls in self.settings for name in controls(cls) if name in self.controls]


def copy_link(lab_key: str) -> CopyLink:
    """The "Copy link" button and, hidden until pressed, the link it made; place it in the lab."""
    button = gr.Button(I18N("link_copy"), size="sm", min_width=60, elem_id=f"{lab_key}_copy_link")
    shown = gr.Textbox(visible=False, show_label=False, elem_id=f"{lab_key}_link", buttons=["copy"],
                       interactive=False)
    return CopyLink(button, shown)


HEAD = """
<script>
(() => {
  // gradio injects this after it has chosen the page's language from the browser's; lang= in a
  // link switches it the way the footer's Settings does, through gradio's own changeLocale
  // (the core module is already loaded: importing its URL again returns the same module)
  const asked = new URLSearchParams(window.location.search).get("lang");
  const tag = asked === "zh" ? "zh-CN" : asked === "en" ? "en" : null;
  if (tag) {
    const core = performance.getEntriesByType("resource").map((e) => e.name)
      .find((name) => /\\/assets\\/core-[\\w-]+\\.js$/.test(name));
    if (core) import(core).then((m) => m.changeLocale && m.changeLocale(tag)).catch(() => {});
  }
  // the server composes plot titles and messages: a cookie tells it the page's language
  const remember = (lang) => {
    const short = (lang || "").toLowerCase().startsWith("zh") ? "zh" : "en";
    document.cookie = "aigc_lang=" + short + "; path=/; SameSite=Lax";
  };
  remember(tag || document.documentElement.lang || window.navigator.language);
  new MutationObserver(() => remember(document.documentElement.lang))
    .observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
})();
</script>
"""

# run after the controls were set: press the linked lab's main button, as a learner would
_AUTORUN = """
(labs) => {
  const lab = new URLSearchParams(window.location.search).get("lab");
  const id = labs[lab];
  if (id) setTimeout(() => document.getElementById(id)?.click(), 300);
}
"""


def _copy_js(lab_key: str, names: list[str], base: dict) -> str:
    return f"""
(...values) => {{
  const names = {json.dumps(names)};
  const base = {json.dumps(base)};
  const query = new URLSearchParams({{ lab: {json.dumps(lab_key)} }});
  names.forEach((name, i) => {{
    const v = values[i];
    if (v !== null && v !== undefined && typeof v !== "object" && v !== base[name]) query.set(name, String(v));
  }});
  const url = window.location.origin + window.location.pathname + "?" + query.toString();
  navigator.clipboard?.writeText(url).catch(() => {{}});
  return url;
}}
"""


def _apply(query: str, linkables: dict[str, Linkable], lang: str):
    """The updates a link asks for: (tab, notice, *one update per linked control)."""
    from urllib.parse import parse_qsl

    pairs = dict(parse_qsl((query or "").lstrip("?"), keep_blank_values=True))
    state = links.parse_query(pairs, {key: view.settings for key, view in linkables.items()})
    updates = []
    for key, view in linkables.items():
        for name in view.names():
            if key != state.lab:
                updates.append(gr.skip())
            elif name in state.values or name in state.hidden:
                change = {"visible": False} if name in state.hidden else {}
                if name in state.values:
                    change["value"] = state.values[name]
                updates.append(gr.update(**change))
            else:
                updates.append(gr.skip())
    message = links.notice(state, state.lang or lang)
    tab = gr.Tabs(selected=state.lab) if state.lab else gr.skip()
    return tab, gr.Markdown(message, visible=bool(message)), *updates


# lab key -> the settings classes its links may set, filled by ``install`` when the page is built
# (read by the lessons' test, which checks every lesson's link against it)
LINKED_SETTINGS: dict[str, tuple] = {}


def install(blocks: gr.Blocks, tabs: gr.Tabs, notice: gr.Markdown, linkables: dict[str, Linkable]) -> None:
    from components.handlers import handler

    LINKED_SETTINGS.update({key: view.settings for key, view in linkables.items()})
    query = gr.Textbox(visible=False)
    outputs = [tabs, notice, *[view.controls[n] for view in linkables.values() for n in view.names()]]

    @handler()
    def apply_link(query_text, lang: str):
        """Set the tab and controls a shared link describes."""
        return _apply(query_text, linkables, lang)

    run_ids = {key: view.run.elem_id for key, view in linkables.items() if view.run is not None}
    blocks.load(apply_link, [query], outputs, js="() => [window.location.search]",
                api_visibility="private", queue=False).then(
        None, None, None, js=f"() => ({_AUTORUN})({json.dumps(run_ids)})")
    for key, view in linkables.items():
        names = view.names()
        base = {}
        for cls in view.settings:
            base.update(defaults(cls))
        view.copy.button.click(lambda: gr.Textbox(visible=True), None, [view.copy.shown],
                               api_visibility="private", queue=False).then(
            None, [view.controls[n] for n in names], [view.copy.shown], js=_copy_js(key, names, base))
