import types

import gradio as gr
import pytest

from components.errors import user_errors
from components.i18n import InputError


def fake_request(accept_language: str):
    return types.SimpleNamespace(headers={"accept-language": accept_language})


def test_input_error_becomes_gr_error_in_the_browser_language(monkeypatch):
    monkeypatch.setattr(gr, "Request", types.SimpleNamespace)

    @user_errors
    def handler(text, request):
        raise InputError("att_err_empty")

    with pytest.raises(gr.Error) as err:
        handler("", fake_request("zh-CN,zh;q=0.9"))
    assert err.value.message == "请输入文字：文本为空。"
    assert err.value.title == "出错了"
    with pytest.raises(gr.Error) as err:
        handler("", fake_request("en-US"))
    assert err.value.message == "Please type some text: the text is empty."


def test_a_library_value_error_is_logged_and_shown_short_in_the_users_language(monkeypatch, caplog):
    """Only our own InputErrors carry their text to the user: a library's ValueError may be long,
    English only, or echo the input."""
    monkeypatch.setattr(gr, "Request", types.SimpleNamespace)

    @user_errors
    def handler(request):
        raise ValueError("Expected input batch_size (3) to match target batch_size (4) " + "x" * 500)

    with pytest.raises(gr.Error) as err:
        handler(fake_request("zh-CN"))
    assert err.value.message == "服务器出错了（ValueError）。错误已记录，请换一组设置再试。"
    assert any(r.exc_info and "batch_size" in str(r.exc_info[1]) for r in caplog.records)


def test_unexpected_errors_are_logged_and_shown_short(caplog):
    @user_errors
    def handler():
        raise ZeroDivisionError("division by zero")

    with pytest.raises(gr.Error) as err:
        handler()
    assert "ZeroDivisionError" in err.value.message and "Traceback" not in err.value.message
    assert any("unexpected error" in r.message and r.exc_info for r in caplog.records)


def test_generators_are_wrapped_too():
    @user_errors
    def stream():
        yield 1
        raise InputError("att_err_empty")

    gen = stream()
    assert next(gen) == 1
    with pytest.raises(gr.Error):
        next(gen)
