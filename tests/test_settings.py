"""Settings as data: one declaration gives defaults, checks, presets and handler parameters."""

from __future__ import annotations

import dataclasses
import inspect
import math
import types

import gradio as gr
import pytest

from components import i18n
from components.handlers import handler
from components.i18n import InputError, translate
from components.settings import apply, controls, defaults, parse, setting

i18n.register({"tt_steps": "Steps", "tt_rate": "Rate", "tt_kind": "Kind", "tt_text": "Text", "tt_flag": "Flag"},
              {"tt_steps": "步数", "tt_rate": "速率", "tt_kind": "种类", "tt_text": "文本", "tt_flag": "开关"})


@dataclasses.dataclass(frozen=True)
class Toy:
    steps: int = setting(50, label="tt_steps", low=1, high=200)
    rate: float = setting(0.01, label="tt_rate", low=0.0, high=1.0, positive=True, widget="number")
    kind: str = setting("a", label="tt_kind", choices=("a", "b"))
    text: str = setting("hi", label="tt_text", max_chars=10)
    flag: bool = setting(True, label="tt_flag")

    def check(self):
        if self.kind == "b" and self.steps > 100:
            raise InputError("err_out_of_range", name="tt_steps", low=1, high=100, value=self.steps)


def test_defaults_and_widgets_come_from_the_declaration():
    assert defaults(Toy) == {"steps": 50, "rate": 0.01, "kind": "a", "text": "hi", "flag": True}
    widgets = {name: c.widget for name, c in controls(Toy).items()}
    assert widgets == {"steps": "slider", "rate": "number", "kind": "dropdown", "text": "textbox",
                       "flag": "checkbox"}


def test_good_values_parse_by_name_or_in_order():
    assert parse(Toy, {"steps": "7", "kind": "b"}) == Toy(steps=7, kind="b")
    assert parse(Toy, [3, 0.5, "a", "", False]) == Toy(3, 0.5, "a", "", False)
    assert isinstance(parse(Toy, {"steps": 7.0}).steps, int)


@pytest.mark.parametrize("values, key", [
    ({"steps": 0}, "err_out_of_range"), ({"steps": 2.5}, "err_not_integer"), ({"steps": "abc"}, "err_not_number"),
    ({"steps": None}, "err_not_number"), ({"steps": [1]}, "err_not_number"), ({"steps": True}, "err_not_number"),
    ({"steps": math.nan}, "err_not_number"), ({"steps": math.inf}, "err_not_number"),
    ({"rate": 0}, "err_positive_range"), ({"rate": -1}, "err_positive_range"), ({"kind": "c"}, "err_choice"),
    ({"kind": None}, "err_choice"), ({"text": "x" * 11}, "err_text_too_long"), ({"text": 5}, "err_not_text"),
    ({"flag": "yes"}, "err_not_bool"), ({"kind": "b", "steps": 150}, "err_out_of_range"),
])
def test_bad_values_name_the_control_in_both_languages(values, key):
    with pytest.raises(InputError) as err:
        parse(Toy, values)
    assert err.value.key == key
    english, chinese = str(err.value), translate(err.value.key, "zh", **err.value.values)
    label = "tt_steps" if "steps" in values else controls(Toy)[next(iter(values))].label
    assert english.startswith(translate(label, "en")) and chinese.startswith(translate(label, "zh"))


def test_a_huge_value_is_not_echoed_back():
    with pytest.raises(InputError) as err:
        parse(Toy, {"kind": "x" * 100_000})
    assert len(str(err.value)) < 200


def test_the_wrong_number_of_values_is_refused():
    with pytest.raises(InputError) as err:
        parse(Toy, [1, 2])
    assert err.value.key == "err_argument_count" and "5" in str(err.value)


def test_a_preset_is_checked_over_the_defaults():
    assert apply(Toy, {"steps": 9})["steps"] == 9 and apply(Toy, {})["kind"] == "a"
    with pytest.raises(InputError):
        apply(Toy, {"steps": 999})


def test_a_handler_takes_the_settings_fields_as_its_api_parameters():
    @handler(Toy)
    def run(settings, extra, lang: str):
        return settings.steps, extra, lang

    names = list(inspect.signature(run).parameters)
    assert names == ["steps", "rate", "kind", "text", "flag", "extra", "request"]
    assert run(5, 0.1, "a", "", True, "x") == (5, "x", "en")
    zh = types.SimpleNamespace(headers={"accept-language": "zh-CN"})
    original = gr.Request
    try:
        gr.Request = types.SimpleNamespace  # the handler finds the request by its type
        assert run(5, 0.1, "a", "", True, "x", zh)[2] == "zh"
        with pytest.raises(gr.Error) as err:
            run(0, 0.1, "a", "", True, "x", zh)
    finally:
        gr.Request = original
    assert err.value.message.startswith("步数")
    assert run.__wrapped__(Toy(), "y", lang="zh") == (50, "y", "zh")
