"""One error path for every event handler.

``InputError`` (bad input a learner can fix) becomes ``gr.Error`` in the user's language. Only our
own ``InputError``s carry their text to the user: anything else (a ``ValueError`` from
transformers or diffusers included, whose English text may be long, technical or echo the input)
is logged on the server with its traceback and shown as one short sentence in the user's language.
A learner never sees a traceback.
"""

from __future__ import annotations

import functools
import inspect
import logging

import gradio as gr

from components.i18n import InputError, language_of, translate
from components.threads import use_process_threads

log = logging.getLogger("aigc_playground")


def request_language(request: gr.Request | None) -> str:
    """The page's language: the ``aigc_lang`` cookie the page keeps equal to the language the
    learner chose (browser, footer Settings or ``lang=`` in a link: components/links_ui.py),
    else the browser's Accept-Language (an API client)."""
    headers = getattr(request, "headers", None) or {}
    return language_of(headers.get("accept-language"), headers.get("cookie"))


def _as_gr_error(exc: Exception, lang: str) -> gr.Error:
    title = translate("error_title", lang)
    if isinstance(exc, InputError):
        return gr.Error(translate(exc.key, lang, **exc.values), title=title, print_exception=False)
    log.error("unexpected error in a handler", exc_info=exc)
    return gr.Error(translate("err_unexpected", lang, kind=type(exc).__name__), title=title,
                    print_exception=False)


def _find_request(args, kwargs) -> gr.Request | None:
    return next((a for a in (*args, *kwargs.values()) if isinstance(a, gr.Request)), None)


def user_errors(fn):
    """Decorate a handler (plain or generator). Declare ``request: gr.Request`` in the handler
    to get messages in the browser's language; without it they are English. The handler starts
    on the process's torch thread count (see components/threads.py)."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator_wrapper(*args, **kwargs):
            use_process_threads()
            try:
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except Exception as exc:  # noqa: BLE001 - the one place that turns every failure into a message
                raise _as_gr_error(exc, request_language(_find_request(args, kwargs))) from exc

        return generator_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        use_process_threads()
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _as_gr_error(exc, request_language(_find_request(args, kwargs))) from exc

    return wrapper
