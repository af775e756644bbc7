"""Shareable links in the page (``components/links.py`` reads them).

A lab's ``build_tab`` returns a ``Linkable``: the settings classes a link may set, their controls
by field name, the button a link presses once the controls are set, and its "Copy link" button
(``copy_button``). ``install`` (called by app.py after every tab is built) wires, once for the
whole page:

- on page load, the page itself selects the link's tab (``_select_js``, from the link's ``lab=``
  and the labs' keys, with no round trip: a tab selected by the server's answer showed the first
  lab until the answer came — about a second on a busy machine — and moved a learner who had opened
  another tab meanwhile); the query is checked by the server (``links.parse_query``): the lab's
  controls set, the hidden ones hidden — then the lab's main button is pressed by the page
  itself, exactly as a learner would. A link with anything refused shows a notice instead and
  runs nothing: the learner sees what was wrong and presses the button once the settings are
  right (a half-followed link would otherwise show a result the teacher did not mean);
- each lab's "Copy link" button: the page builds the link from the controls' current values and
  copies it (and shows it, for browsers that refuse clipboard access).

``HEAD`` (given to ``launch(head=…)``) applies ``lang=`` as the page starts and keeps a cookie
``aigc_lang`` equal to the page's language, so text the server composes follows the language the
learner chose, whichever way they chose it (``components.errors.request_language`` reads it).

Tab labels and a late language. Gradio translates the labels of the tab strips once, when it
builds the page, and afterwards only the tabs on screen follow a change of language: a tab not
yet opened keeps the label of the language the page was built in. The page is always built in
the browser's language (gradio reads it before any script of ours can run), so ``lang=`` — like
the footer's Settings — changes the language after the build, and every tab but the open ones
stayed English (unless the Chinese tables happened to load before the build: about 1 load in 9).
``install`` therefore re-applies every tab's own (translatable) label whenever the page's
language changes, through gradio's own tab update, which translates it in the language now set.

What the server drew before a change of language. Labels follow the switch live and every new
answer is composed in the new language (the cookie), but plot titles, status lines and notices
already on the page were composed in the old one. A lab lists in its ``Linkable.redraws`` the
events that redraw what it shows now (``Redraw``: fn, inputs, outputs, queue group — usually its
own slider or view handlers), and ``install`` fires them on every change of language, all the
labs' redraws of one queue group as one event (``_redraw_all``). A redraw
works from what the session keeps (a cached analysis, the live run, the last result kept for
Export, a ``gr.State``): it never repeats a model pass that costs seconds and never trains; it
answers ``gr.skip()`` where nothing has been drawn yet. The link's own notice is composed again
too. A live lab wraps its render function in ``noted`` and redraws with ``at_rest``: a run at
rest is drawn again with the note it showed (paused, done, diverged…) in the new language; a run
training now is told the new language, and its stream's next frame comes in it (a stream's
request fixed its language when it started).
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import logging
import re
import time
from collections.abc import Callable

import gradio as gr
from gradio.i18n import I18nData

from components import links
from components.i18n import tables, translate
from components.queueing import queue
from components.settings import controls, defaults
from components.ui import I18N

log = logging.getLogger("aigc_playground")


@dataclasses.dataclass(frozen=True)
class CopyLink:
    button: gr.Button                  # "Copy link"
    shown: gr.Textbox                  # the link, shown once made (for browsers that refuse the clipboard)


@dataclasses.dataclass(frozen=True)
class Redraw:
    """An event fired when the page's language changes: ``fn`` redraws ``outputs`` from ``inputs``
    (what the session keeps) in the new language, or answers ``gr.skip()``."""
    fn: Callable
    inputs: list
    outputs: list
    group: str = "control"             # its components/queueing.py group: views redrawn from a kept result


@dataclasses.dataclass(frozen=True)
class Linkable:
    settings: tuple                    # settings dataclasses whose fields a link may set
    controls: dict                     # field name -> component
    run: gr.Button | None              # pressed after a link set the controls (None: nothing runs)
    copy: CopyLink | None              # the lab's "Copy link" button (``copy_link``), if it has one
    redraws: tuple = ()                # ``Redraw``s that redraw what the lab shows in a new language

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

# the notes a live run's views carry (components.live), by key
_LIVE_NOTES = ("live_running", "live_paused", "live_done", "live_ready", "live_diverged")


def noted(render: Callable, lang: str) -> Callable:
    """A live lab's render function ``render(run, note, lang)``, for a request in ``lang``, as
    ``components.live`` calls it (``(run, note)``): it draws in the page's language now — the
    request's, or the one a change of language told the run since (``at_rest``), the note
    translated too — and keeps on the run the note it drew, for ``at_rest``."""
    asked = time.monotonic()

    def render_noted(run, note: str) -> tuple:
        now, since = getattr(run, "page_lang", (lang, asked))
        if since <= asked:          # this request came after the last change of language
            now = lang
        if now != lang:
            again = _note_again(note, lang, now)
            note = again[1] if again else note
        run.shown_note = (note, now)
        return render(run, note, now)

    return render_noted


def _note_again(note: str, old: str, lang: str, keys: tuple = _LIVE_NOTES) -> tuple[str, str] | None:
    """(key, ``note`` in ``lang``) for a note of ``keys`` drawn in ``old``; None for another text."""
    for key in keys:
        template = tables()[old][key]
        pattern = re.sub(r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>.*?)", re.escape(template))
        found = re.fullmatch(pattern, note, flags=re.S)
        if found:
            return key, translate(key, lang, **found.groupdict())
    return None


def at_rest(session, lang: str, notes: tuple = ()) -> tuple | None:
    """(run, the note its views showed, in ``lang``) for a live session's run that is not training
    now (``notes``: keys of a lab's own notes, which its handler keeps as ``run.shown_note``).
    None when the session has no run, or when its run is training: that run is told the
    page's language, and its stream's next frame (``noted``) comes in it."""
    run = getattr(session, "run", None)
    if run is None:
        return None
    if getattr(session, "active", None) is run:
        run.page_lang = (lang, time.monotonic())
        return None
    note, old = getattr(run, "shown_note", (None, None))
    again = _note_again(note, old, lang, _LIVE_NOTES + tuple(notes)) if note else None
    if again is None or again[0] == "live_running":   # a stream that was cut before it came to rest
        key = "live_ready" if run.iteration == 0 else "live_done" if run.iteration >= run.target else "live_paused"
        return run, translate(key, lang)
    return run, again[1]


# run after the controls were set: press the linked lab's main button, as a learner would —
# unless the link needed a notice (``notice`` is its text): then nothing runs
_AUTORUN = """
(labs, notice) => {
  const lab = new URLSearchParams(window.location.search).get("lab");
  const id = labs[lab];
  if (id && !notice) setTimeout(() => document.getElementById(id)?.click(), 300);
}
"""


def _select_js(labs: list[str]) -> str:
    """The link's tab, selected by the page at load from its own address (nothing for no lab= or a
    lab that is not one of ``labs``: the server's notice says so)."""
    return f"""() => {{
  const lab = new URLSearchParams(window.location.search).get("lab");
  return {json.dumps(labs)}.includes(lab) ? {{ __type__: "update", selected: lab }} : undefined;
}}"""


# an invisible element that tells the page when its language changed (svelte-i18n writes the
# language it has switched to, its tables loaded, into <html lang>)
_LANGUAGE_WATCH = """
new MutationObserver(() => trigger("change"))
  .observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
"""


def _relabel_js(labels: list[str]) -> str:
    """Each tab's update to its own label: gradio translates it again, in the page's language."""
    return f"() => {json.dumps(labels)}.map((label) => ({{ __type__: \"update\", label }}))"


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


def _parsed(query: str, linkables: dict[str, Linkable]):
    """The page's query (``?lab=…``) checked against the labs' linkable settings (``links.parse_query``)."""
    from urllib.parse import parse_qsl

    pairs = dict(parse_qsl((query or "").lstrip("?"), keep_blank_values=True))
    return links.parse_query(pairs, {key: view.settings for key, view in linkables.items()})


def _apply(query: str, linkables: dict[str, Linkable], lang: str):
    """The updates a link asks for: (notice, *one update per linked control); the page selects the
    tab itself (``_select_js``)."""
    state = _parsed(query, linkables)
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
    return gr.Markdown(message, visible=bool(message)), *updates


def _notice_again(query: str, linkables: dict[str, Linkable], lang: str):
    """The link's notice in the page's language now (``gr.skip()`` for a link that needed none)."""
    message = links.notice(_parsed(query, linkables), lang)
    return gr.Markdown(message) if message else gr.skip()


def _redraw_all(redraws: list[Redraw]) -> Callable:
    """One event for the ``redraws`` of a queue group: the page sent one event after another, each
    once the last had been taken (about 0.35 s apart on a busy machine: the ninth lab's plot
    turned Chinese 4 s after the first). Each redraw gets its own inputs and the request (its
    language); one that fails leaves its outputs as they are and the others go on."""
    sizes = [len(r.inputs) for r in redraws]
    n = sum(sizes)

    def redraw_all(*args):
        values, request = args[:n], (args[n] if len(args) > n else None)
        answers, at = [], 0
        for redraw, size in zip(redraws, sizes):
            try:
                answer = redraw.fn(*values[at:at + size], request)
            except Exception:   # noqa: BLE001 - logged by the handler's own error path; the others still redraw
                log.warning("redraw %s failed; its views stay in the old language", redraw.fn.__name__, exc_info=True)
                answer = gr.skip() if len(redraw.outputs) == 1 else (gr.skip(),) * len(redraw.outputs)
            answers += [answer] if len(redraw.outputs) == 1 else list(answer)
            at += size
        return answers

    # gradio reads which parameter takes the request from the signature, as for components.handlers
    redraw_all.__signature__ = inspect.Signature(
        [inspect.Parameter(f"value_{i}", inspect.Parameter.POSITIONAL_OR_KEYWORD) for i in range(n)]
        + [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=gr.Request)])
    redraw_all.__annotations__ = {"request": gr.Request}
    return redraw_all


# lab key -> the settings classes its links may set, filled by ``install`` when the page is built
# (read by the lessons' test, which checks every lesson's link against it)
LINKED_SETTINGS: dict[str, tuple] = {}


def install(blocks: gr.Blocks, tabs: gr.Tabs, notice: gr.Markdown, linkables: dict[str, Linkable]) -> None:
    from components.handlers import handler

    LINKED_SETTINGS.update({key: view.settings for key, view in linkables.items()})
    query = gr.Textbox(visible=False)
    outputs = [notice, *[view.controls[n] for view in linkables.values() for n in view.names()]]

    @handler()
    def apply_link(query_text, lang: str):
        """Set the controls a shared link describes (the page selects its tab)."""
        return _apply(query_text, linkables, lang)

    blocks.load(None, None, [tabs], js=_select_js(list(linkables)), api_visibility="private", queue=False)
    run_ids = {key: view.run.elem_id for key, view in linkables.items() if view.run is not None}
    blocks.load(apply_link, [query], outputs, js="() => [window.location.search]",
                api_visibility="private", queue=False).then(
        None, [notice], None, js=f"(notice) => ({_AUTORUN})({json.dumps(run_ids)}, notice)")

    tabs_to_relabel = [block for block in blocks.blocks.values()
                       if isinstance(block, gr.Tab) and isinstance(block.label, I18nData)]
    language = gr.HTML("", js_on_load=_LANGUAGE_WATCH, visible="hidden", elem_id="page_language")
    # on load too: the language may have settled before the watcher was there, or while the page
    # was still wiring its tab strips (a tab strip not yet wired misses an update); by the load
    # event every component of the page is wired
    gr.on([blocks.load, language.change], None, None, tabs_to_relabel,
          js=_relabel_js([str(tab.label) for tab in tabs_to_relabel]), api_visibility="private", queue=False)

    # what the server drew before the change, drawn again in the new language (the cookie is set
    # by HEAD's observer, registered before this one, so the request already carries it). The page
    # sends a trigger's events one after another, in the order they were wired: the labs' views
    # first, one event per queue group, then the link's notice.
    groups: dict[str, list[Redraw]] = {}
    for view in linkables.values():
        for redraw in view.redraws:
            groups.setdefault(redraw.group, []).append(redraw)
    for group, redraws in groups.items():
        language.change(_redraw_all(redraws), [c for r in redraws for c in r.inputs],
                        [c for r in redraws for c in r.outputs], api_visibility="private", show_progress="hidden",
                        **queue(group))   # quiet: no spinner over every view for a change of words

    @handler()
    def notice_again(query_text, lang: str):
        """The link's notice, composed again in the page's new language."""
        return _notice_again(query_text, linkables, lang)

    language.change(notice_again, [query], [notice], js="() => [window.location.search]",
                    api_visibility="private", queue=False)

    for key, view in linkables.items():
        if view.copy is None:
            continue
        names = view.names()
        base = {}
        for cls in view.settings:
            base.update(defaults(cls))
        view.copy.button.click(lambda: gr.Textbox(visible=True), None, [view.copy.shown],
                               api_visibility="private", queue=False).then(
            None, [view.controls[n] for n in names], [view.copy.shown], js=_copy_js(key, names, base))
