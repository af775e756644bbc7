"""English and Simplified Chinese for every user-facing string.

Labels shown by components go to ``gr.I18n`` (the browser translates them, and the footer's
Settings switches the language live). Messages composed on the server (errors, notices) carry
``{placeholders}`` and are translated here with ``translate(key, lang, **values)``; the language
comes from the request's ``Accept-Language`` header. Each lab keeps its strings in
``demos/<lab>/strings.py`` as ``EN`` and ``ZH`` dicts with the same keys, and its declaration
(``components.labs.Lab``) registers them here when the lab's package is imported: this module
imports no lab.

No gradio import here: compute code raises ``InputError`` and stays UI-free.
"""

from __future__ import annotations

EN = {
    "app_title": "**AIGC Playground**",
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
    "err_at_least": "{name} must be at least {low}, got {value}.",
    "err_at_most": "{name} must be at most {high}, got {value}.",
    "err_positive_range": "{name} must be above {low} and at most {high}, got {value}.",
    "err_not_integer": "{name} must be a whole number, got {value}.",
    "err_not_bool": "{name} must be true or false, got {value}.",
    "err_not_text": "{name} must be text, got {value}.",
    "err_text_too_long": "{name} is too long: {n} characters, at most {limit} are accepted.",
    "err_choice": "{name} must be one of: {allowed}; got {value}.",
    "err_argument_count": "This action takes {expected} values, got {got}.",
    "err_not_upload": "{name} must be an image uploaded to this server (gradio_client.handle_file), got {value}.",
    "err_unreadable": "{name} could not be read.",
    "err_input_any": "A value",
    "err_busy": "The server is busy: please try again in a moment.",
    "link_copy": "Copy link",
    "export_button": "Export",
    "export_files": "The result as JSON (settings and the numbers behind the plots) and, for a training run, its "
                    "curves as CSV. Every plot also downloads as a PNG from the camera icon above it.",
    "export_nothing": "There is nothing to export yet: run the lab first.",
    "link_notice": "**This link could not be followed in full**; the rest of the page keeps its defaults:",
    "link_too_long": "only the first {n} settings of the link were read.",
    "link_bad_lang": "unknown language '{value}' (en or zh).",
    "link_no_lab": "the link names settings but no lab (add lab=…).",
    "link_bad_lab": "unknown lab '{value}'; the labs are: {allowed}.",
    "link_bad_key": "unknown setting '{setting}' was left out.",
    "link_bad_value": "'{setting}={value}' was left out:",
    "link_bad_combination": "these settings do not go together, so the lab keeps its defaults:",
    "live_start": "▶ Start",
    "live_pause": "Pause",
    "live_resume": "Resume",
    "live_step": "Step",
    "live_reset": "↺ Reset",
    "live_running": "training…",
    "live_paused": "paused: press Resume to continue, or Step.",
    "live_done": "reached the iteration target: Resume trains further.",
    "live_ready": "ready: press Start, Resume or Step.",
    "live_diverged": "⛔ Training diverged at iteration {iteration}: the loss or gradient of {what} became NaN or "
                     "infinite. Training stopped; the weights are those of the last good step. Lower the learning "
                     "rate, or press Reset.",
    "live_err_no_run": "There is no run to resume yet: press Start.",
    "live_err_busy": "Training is running: press Pause first.",
}

ZH = {
    "app_title": "**AIGC 游乐场**",
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
    "err_at_least": "{name} 不能小于 {low}，收到的是 {value}。",
    "err_at_most": "{name} 不能大于 {high}，收到的是 {value}。",
    "err_positive_range": "{name} 必须大于 {low} 且不超过 {high}，收到的是 {value}。",
    "err_not_integer": "{name} 必须是整数，收到的是 {value}。",
    "err_not_bool": "{name} 必须是 true 或 false，收到的是 {value}。",
    "err_not_text": "{name} 必须是文本，收到的是 {value}。",
    "err_text_too_long": "{name} 太长：{n} 个字符，最多接受 {limit} 个。",
    "err_choice": "{name} 必须是以下之一：{allowed}；收到的是 {value}。",
    "err_argument_count": "此操作需要 {expected} 个值，收到 {got} 个。",
    "err_not_upload": "{name} 必须是上传到本服务器的图片（gradio_client.handle_file），收到的是 {value}。",
    "err_unreadable": "无法读取 {name}。",
    "err_input_any": "某个输入值",
    "err_busy": "服务器正忙：请稍后再试。",
    "link_copy": "复制链接",
    "export_button": "导出",
    "export_files": "以 JSON 导出结果（设置以及图表背后的数据），训练的曲线另存为 CSV。每张图表也可以点击上方的相机图标下载为 PNG。",
    "export_nothing": "还没有可以导出的结果：请先运行实验。",
    "link_notice": "**此链接未能完全应用**；页面其余部分保持默认值：",
    "link_too_long": "只读取了链接中的前 {n} 项设置。",
    "link_bad_lang": "未知语言“{value}”（可用 en 或 zh）。",
    "link_no_lab": "链接包含设置但没有指定实验（请加上 lab=…）。",
    "link_bad_lab": "未知实验“{value}”；可用的实验：{allowed}。",
    "link_bad_key": "未知设置“{setting}”已忽略。",
    "link_bad_value": "“{setting}={value}”已忽略：",
    "link_bad_combination": "这些设置不能同时使用，因此实验保持默认值：",
    "live_start": "▶ 开始",
    "live_pause": "暂停",
    "live_resume": "继续",
    "live_step": "单步",
    "live_reset": "↺ 重置",
    "live_running": "训练中……",
    "live_paused": "已暂停：按“继续”接着训练，或按“单步”。",
    "live_done": "已达到迭代目标：按“继续”可以接着训练。",
    "live_ready": "就绪：按“开始”“继续”或“单步”。",
    "live_diverged": "⛔ 训练在第 {iteration} 次迭代发散：{what} 的损失或梯度变成了 NaN 或无穷大。训练已停止；"
                     "权重保留为最后一次正常迭代的结果。请降低学习率，或按“重置”。",
    "live_err_no_run": "还没有可以继续的训练：请按“开始”。",
    "live_err_busy": "正在训练：请先按“暂停”。",
}

# every string, shared and registered by the labs: {"en": {...}, "zh": {...}}; written only
# while packages are imported (configuration, not per-user state)
_TABLES: dict[str, dict[str, str]] = {"en": dict(EN), "zh": dict(ZH)}


class InputError(ValueError):
    """Bad input a learner can fix. ``str()`` is the English message; the UI translates ``key``."""

    def __init__(self, key: str, **values):
        self.key = key
        self.values = values
        super().__init__(translate(key, "en", **values))


def register(en: dict[str, str], zh: dict[str, str]) -> None:
    """Add a lab's strings (its ``strings.EN`` and ``strings.ZH``, with the same keys)."""
    if set(en) != set(zh):
        raise ValueError(f"EN and ZH keys differ: {sorted(set(en) ^ set(zh))[:5]}")
    clash = [k for k in en if k in _TABLES["en"] and _TABLES["en"][k] != en[k]]
    if clash:
        raise ValueError(f"string keys already registered with another text: {clash[:5]}")
    _TABLES["en"].update(en)
    _TABLES["zh"].update(zh)


def tables() -> dict[str, dict[str, str]]:
    """All strings registered so far: {"en": {...}, "zh": {...}}."""
    return _TABLES


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


def language_of(accept_language: str | None, cookie: str | None = None) -> str:
    """'zh' or 'en': the page's ``aigc_lang`` cookie when it has one, else the browser's
    preferred supported language (English when it names neither)."""
    for item in (cookie or "").split(";"):
        name, _, value = item.strip().partition("=")
        if name == "aigc_lang" and value in ("en", "zh"):
            return value
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
