"""Module-level handlers, written as plain functions and turned into gradio events here.

A lab's handler takes what it needs by name:

    @handler(GanSettings)
    def start(settings: GanSettings, sketch, iterations, session, lang: str):
        ...

``handler`` gives gradio a function whose parameters are

- the fields of the settings dataclass, in order, where the handler has ``settings`` (so the
  API parameters are named ``dataset``, ``loss``, … and the controls come from the same
  declaration, ``components.controls.inputs``),
- then the handler's other parameters, except ``lang``,
- then ``request: gr.Request``, from which ``lang`` (the user's language) is read.

A generator handler's frames are skipped while the page has not received the previous one:
the page gets the newest frame, never a backlog of stale ones — except a frame wrapped in
``Keep`` (a run coming to rest: the page must show it paused at once, not after the costly view
that follows). A stream whose page has taken
nothing for ``UNREAD_S`` stops (its run stays, paused, for Resume): a client whose request timed
out before it could read, or that never reads, does not keep a run training for nobody.

Inside, the raw values are checked into a settings instance (``components.settings.parse``) and
every failure goes through ``components.errors``: a message in the user's language, never a
traceback. The undecorated function stays reachable as ``.__wrapped__`` for unit tests, and the
decorated one can be called directly too (``lang`` defaults to English without a request).
"""

from __future__ import annotations

import functools
import inspect
import logging
import time

import gradio as gr

from components.errors import request_language, user_errors
from components.input_guard import behind
from components.settings import controls, parse

log = logging.getLogger("aigc_playground")

UNREAD_S = 60.0   # a page connected at all takes a frame within milliseconds

_REQUEST = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                             annotation=gr.Request)


class Keep(tuple):
    """A stream's frame that is sent even while the page is behind (``handler`` unwraps it)."""


def _plain(name: str, default=inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default)


def _request(args, kwargs):
    return next((a for a in (*args, *kwargs.values()) if isinstance(a, gr.Request)), None)


def handler(settings_cls=None):
    """Decorate a module-level handler (plain or generator); see the module docstring."""

    def decorate(fn):
        params = inspect.signature(fn).parameters
        field_names = list(controls(settings_cls)) if settings_cls is not None else []
        outer: list[inspect.Parameter] = []
        for name, param in params.items():
            if name == "settings" and settings_cls is not None:
                outer += [_plain(field) for field in field_names]
            elif name != "lang":
                outer.append(_plain(name, param.default))
        outer.append(_REQUEST)
        signature = inspect.Signature(outer)
        wants_lang = "lang" in params

        def call_args(args, kwargs) -> dict:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            values = dict(bound.arguments)
            request = values.pop("request")
            call = {}
            if settings_cls is not None and "settings" in params:
                call["settings"] = parse(settings_cls, {f: values.pop(f) for f in field_names})
            call.update(values)
            if wants_lang:
                call["lang"] = request_language(request)
            return call

        if inspect.isgeneratorfunction(fn):
            def gradio_fn(*args, **kwargs):
                # a page that has not received the last frame gets the newest one later, not
                # every stale one in between (components.input_guard.behind)
                request = _request(args, kwargs)
                held, unread_since = None, None
                frames = fn(**call_args(args, kwargs))
                for frame in frames:
                    if isinstance(frame, Keep):
                        held, unread_since = None, None   # it is newer than any frame held
                        yield tuple(frame)
                        continue
                    if behind(request):
                        held = frame
                        unread_since = unread_since or time.monotonic()
                        if time.monotonic() - unread_since > UNREAD_S:
                            log.warning("%s: nobody has read this stream for %.0f s; stopping it", fn.__name__,
                                        UNREAD_S)
                            frames.close()
                            return
                        continue
                    held, unread_since = None, None
                    yield frame
                if held is not None:
                    yield held
        else:
            def gradio_fn(*args, **kwargs):
                return fn(**call_args(args, kwargs))

        functools.update_wrapper(gradio_fn, fn)
        wrapped = user_errors(gradio_fn)
        # gradio reads the parameters from the signature (API names, where gr.Request goes) and
        # the annotations (which parameter is the request)
        wrapped.__signature__ = signature
        wrapped.__annotations__ = {"request": gr.Request}
        wrapped.__wrapped__ = fn
        return wrapped

    return decorate
