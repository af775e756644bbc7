"""Shareable links: a lab's settings in the URL query, read back safely.

``?lab=diffusion&scheduler=dpmpp&steps=20&seed=3&digit=7&hide=guidance,eta&lang=zh``

- ``lab`` picks the tab; the other keys are the fields of the lab's linked settings
  (``components.settings``): the same names as its API parameters.
- ``hide`` names controls to hide for a lesson; ``lang`` (en or zh) picks the page's language
  (read by the page's script, see ``components/links_ui.py``).

A link never breaks the page: an unknown lab, an unknown key or a value its setting refuses is
left out (that control keeps its default) and reported in a short notice, and then nothing runs
(issue 15: "nothing runs, the page shows defaults and a notice"): a half-followed link would show
every student a result the teacher did not mean, so the learner reads what was wrong and presses
the lab's button once the settings are right. Nothing from a link is run or rendered as markup
(values are parsed as numbers or matched against the allowed choices, and the notice repeats at
most a few characters of a bad key or value, escaped). No gradio here.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping
from urllib.parse import urlencode

from components.i18n import InputError, register, translate
from components.settings import controls, defaults

RESERVED = ("lab", "hide", "lang")
LANGS = ("en", "zh")
MAX_KEYS = 40          # a longer query is cut: a link is for a handful of settings
ECHO = 24              # characters of a bad key or value a notice repeats

register({"link_not_run": "Nothing was run: check the settings, then press the lab's button."},
         {"link_not_run": "没有自动运行：请检查设置，再按实验的按钮。"})


@dataclasses.dataclass(frozen=True)
class LinkState:
    """What a link asks for, after checking."""
    lab: str | None                    # the lab's key, or None (no lab= or an unknown one)
    values: dict[str, object]          # field name -> checked value, for the fields the link set
    hidden: tuple[str, ...]            # field names to hide
    lang: str | None                   # "en", "zh" or None
    problems: tuple[tuple[str, dict], ...] = ()   # (message key, values) for the notice


def _short(text: str) -> str:
    text = str(text)
    return html.escape(text if len(text) <= ECHO else text[:ECHO] + "…")


def _typed(raw: str, kind: type):
    """A query value (always text) as the setting's kind, for the settings check."""
    if kind is bool:
        return {"true": True, "1": True, "false": False, "0": False}.get(raw.lower(), raw)
    if kind in (int, float):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def parse_query(query: Mapping[str, str], linked: Mapping[str, tuple]) -> LinkState:
    """Check a link's query against the labs' linked settings: ``linked`` maps a lab key to the
    settings dataclasses whose fields its links may set."""
    from components.settings import check_value

    problems: list[tuple[str, dict]] = []
    items = list(query.items())[:MAX_KEYS]
    if len(query) > MAX_KEYS:
        problems.append(("link_too_long", {"n": MAX_KEYS}))
    query = dict(items)
    lang = query.get("lang")
    if lang is not None and lang not in LANGS:
        problems.append(("link_bad_lang", {"value": _short(lang)}))
        lang = None
    lab = query.get("lab")
    if lab is None:
        if set(query) - {"lang", "__theme"}:
            problems.append(("link_no_lab", {}))
        return LinkState(None, {}, (), lang, tuple(problems))
    if lab not in linked:
        problems.append(("link_bad_lab", {"value": _short(lab), "allowed": ", ".join(linked)}))
        return LinkState(None, {}, (), lang, tuple(problems))
    fields = {}
    for settings_cls in linked[lab]:
        fields.update(controls(settings_cls))
    values = {}
    for key, raw in query.items():
        if key in RESERVED or key == "__theme":
            continue
        if key not in fields:
            problems.append(("link_bad_key", {"setting": _short(key)}))
            continue
        try:
            values[key] = check_value(fields[key], _typed(raw, fields[key].kind))
        except InputError as error:
            problems.append(("link_bad_value", {"setting": _short(key), "value": _short(raw),
                                                "why": error.key, "why_values": error.values}))
    hidden = tuple(name for name in query.get("hide", "").split(",") if name in fields)
    unknown_hidden = [name for name in query.get("hide", "").split(",") if name and name not in fields]
    if unknown_hidden:
        problems.append(("link_bad_key", {"setting": _short(unknown_hidden[0])}))
    # a value may pass its own check yet break a rule that ties fields together (check())
    for settings_cls in linked[lab]:
        own = {k: v for k, v in values.items() if k in controls(settings_cls)}
        merged = defaults(settings_cls) | own
        try:
            instance = settings_cls(**merged)
            if hasattr(instance, "check"):
                instance.check()
        except InputError as error:
            problems.append(("link_bad_combination", {"why": error.key, "why_values": error.values}))
            for k in own:
                values.pop(k, None)
    return LinkState(lab, values, hidden, lang, tuple(problems))


def notice(state: LinkState, lang: str) -> str:
    """The notice for a link's problems, in ``lang`` ("" when the link was fine)."""
    lines = []
    for key, values in state.problems:
        values = dict(values)
        why = values.pop("why", None)
        why_values = values.pop("why_values", {})
        line = translate(key, lang, **values)
        if why:
            line += " " + html.escape(translate(why, lang, **why_values))
        lines.append("- " + line)
    if not lines:
        return ""
    text = translate("link_notice", lang) + "\n" + "\n".join(lines)
    return text + "\n\n" + translate("link_not_run", lang) if state.lab is not None else text


def query_for(lab: str, values: Mapping[str, object], settings_classes: tuple) -> str:
    """The query string of a link to ``lab`` with ``values`` (only those differing from the
    defaults, so links stay short)."""
    base = {}
    for settings_cls in settings_classes:
        base.update(defaults(settings_cls))
    changed = {k: v for k, v in values.items() if k in base and v != base[k]}
    return urlencode({"lab": lab, **{k: str(v).lower() if isinstance(v, bool) else v for k, v in changed.items()}})
