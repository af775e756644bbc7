"""English and Simplified Chinese for every user-facing string.

Labels shown by components go to ``gr.I18n`` (the browser translates them, and the footer's
Settings switches the language live). Messages composed on the server (errors, notices) carry
``{placeholders}`` and are translated here with ``translate(key, lang, **values)``; the language
comes from the request's ``Accept-Language`` header. Each lab keeps its strings in
``demos/<lab>/strings.py`` as ``EN`` and ``ZH`` dicts with the same keys.

No gradio import here: compute code raises ``InputError`` and stays UI-free.
"""

from __future__ import annotations

import functools
import importlib

LANGUAGES = ("en", "zh")

EN = {
    "app_title": "# AIGC Playground",
    "app_intro": "See how generative AI works inside, on real PyTorch models that run on your CPU.",
    "model": "Model",
    "model_info": "Bundled models work offline; hub models appear when enabled on the server.",
    "seed": "Seed",
    "examples": "Examples",
    "error_title": "Error",
    "err_unknown_model": "Unknown model '{model}'. Choose one of: {allowed}.",
    "err_hub_disabled": "'{model}' is a Hugging Face Hub model, and hub models are disabled on this server. "
                        "Start the app with {env}=1 to allow them.",
    "err_model_unavailable": "Could not load '{model}' (no network, or not on the Hub). "
                             "The bundled models work offline: {bundled}.",
    "err_unexpected": "Something went wrong on the server ({kind}). It has been logged; please try other settings.",
    "err_not_number": "{name} must be a number, got {value}.",
    "err_out_of_range": "{name} must be between {low} and {high}, got {value}.",
    "err_not_integer": "{name} must be a whole number, got {value}.",
}

ZH = {
    "app_title": "# AIGC 游乐场",
    "app_intro": "在你的 CPU 上运行真实的 PyTorch 模型，看清生成式 AI 的内部是如何工作的。",
    "model": "模型",
    "model_info": "内置模型可离线使用；服务器启用后会出现 Hub 模型。",
    "seed": "随机种子",
    "examples": "示例",
    "error_title": "出错了",
    "err_unknown_model": "未知模型“{model}”。可选：{allowed}。",
    "err_hub_disabled": "“{model}”是 Hugging Face Hub 上的模型，本服务器未启用 Hub 模型。"
                        "请以 {env}=1 启动应用来启用。",
    "err_model_unavailable": "无法加载“{model}”（没有网络，或 Hub 上没有该模型）。"
                             "以下内置模型可离线使用：{bundled}。",
    "err_unexpected": "服务器出错了（{kind}）。错误已记录，请换一组设置再试。",
    "err_not_number": "{name} 必须是数字，收到的是 {value}。",
    "err_out_of_range": "{name} 必须在 {low} 到 {high} 之间，收到的是 {value}。",
    "err_not_integer": "{name} 必须是整数，收到的是 {value}。",
}

# Labs that exist, in tab order; each has demos/<lab>/strings.py with EN and ZH.
LABS = ("attention", "decoding", "diffusion", "gan")


class InputError(ValueError):
    """Bad input a learner can fix. ``str()`` is the English message; the UI translates ``key``."""

    def __init__(self, key: str, **values):
        self.key = key
        self.values = values
        super().__init__(translate(key, "en", **values))


def _lab_tables() -> list[tuple[dict, dict]]:
    return [(m.EN, m.ZH) for m in (importlib.import_module(f"demos.{lab}.strings") for lab in LABS)]


@functools.lru_cache(maxsize=1)
def tables() -> dict[str, dict[str, str]]:
    """All strings, merged: {"en": {...}, "zh": {...}}."""
    merged = {"en": dict(EN), "zh": dict(ZH)}
    for en, zh in _lab_tables():
        merged["en"].update(en)
        merged["zh"].update(zh)
    return merged


def translate(key: str, lang: str = "en", **values) -> str:
    """The message for ``key`` in ``lang`` (English when missing), with ``values`` filled in.
    A ``name`` value that is itself a key (a control's label) is translated too. A placeholder
    left unfilled stays visible rather than raising."""
    table = tables()
    text = table.get(lang, {}).get(key) or table["en"].get(key, key)
    if "name" in values:
        values["name"] = translate(values["name"], lang)
    try:
        return text.format(**values)
    except (KeyError, IndexError):
        return text


def language_of(accept_language: str | None) -> str:
    """'zh' when the browser's preferred supported language is Chinese, else 'en'."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"


def frontend_tables() -> dict[str, dict[str, str]]:
    """The strings the browser translates: labels without server-side placeholders (the
    browser's ICU formatter would choke on an unfilled ``{name}``). Chinese is registered under
    both ``zh`` and ``zh-CN`` so either browser locale finds it."""
    merged = tables()
    labels = {lang: {k: v for k, v in table.items() if k.endswith("_md") or "{" not in v}
              for lang, table in merged.items()}
    return {"en": labels["en"], "zh": labels["zh"], "zh-CN": labels["zh"]}
