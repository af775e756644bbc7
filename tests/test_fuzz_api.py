"""Every named endpoint, fed malformed values over raw HTTP, answers with a short message in the
caller's language, and the server logs no traceback.

The cases come from the server's own ``/gradio_api/info``: for each parameter, values that do not
fit its declared component (wrong JSON types, null, NaN and ±Infinity as raw JSON literals, empty
and ≥ 100 KB strings, unknown choices, out-of-range numbers, images that are no uploads or point at
server files), then wrong argument counts per endpoint, then bodies that are no ``{"data": [...]}``.
Each case is sent to the queue route (``POST /gradio_api/call/<api_name>``, then the event's SSE
stream), in English or Chinese (``Accept-Language``). An answer passes when it is a success, or an
error whose message is non-empty, at most ``MESSAGE_CHARS`` long, in the requested language
(Chinese ones contain CJK characters, English ones none), and repeats at most ``ECHO_CHARS``
characters of what was sent. The values that a malformed case leaves alone are small
(``CHEAP``), so a case that turns out valid costs little.

The suite sends ``ROUNDS_IN_CI`` values per parameter (a few hundred calls). As a script it
launches the app itself and sends at least ``--calls`` cases, then prints a summary:

    HF_HUB_OFFLINE=1 python -m tests.test_fuzz_api --calls 1000
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BIG = "z" * 100_000            # ≥ 100 KB
MESSAGE_CHARS = 300
ECHO_CHARS = 80
ROUNDS_IN_CI = 1               # malformed values per parameter in the suite (~600 calls; all of them: the script)
THREADS = 4                    # calls in flight at once
CALL_TIMEOUT_S = 180
SERVER_FILE = str(Path(__file__).resolve())   # a file the server can read but must never open for a caller
FILE_META = {"_type": "gradio.FileData"}
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
LANGUAGES = {"en": "en-US,en;q=0.9", "zh": "zh-CN,zh;q=0.9"}

# The values a case does not replace: the smallest work each endpoint can be asked for, by
# parameter name (the others keep their defaults).
CHEAP = {
    "iterations": 3, "train_steps": 100, "steps": 2, "images": 1, "new_tokens": 2, "samples": 1,
    "kinds": ["greedy"], "beam_num_beams": 2, "steps_ddpm": 2, "steps_ddim": 2, "steps_dpmpp": 2,
    "steps_euler": 2, "steps_euler_a": 2, "schedulers": ["ddim", "dpmpp"], "text": "To be",
    "prompt": "To be", "batch": 16, "width": 16, "ind_steps": 100, "ind_batch": 8, "count": 1,
}


@dataclass(frozen=True)
class Case:
    endpoint: str        # "/gan_start"
    what: str            # "batch = NaN"
    body: str            # the raw request body (JSON text, possibly with NaN / Infinity literals)
    sent: str            # the malformed part, as text: no message may repeat more than ECHO_CHARS of it
    lang: str = "en"


@dataclass
class Answer:
    case: Case
    outcome: str         # "success" or "error"
    message: str | None  # the error's text
    seconds: float
    problems: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# cases


def _raw(value) -> str:
    """JSON text of ``value``; ``RawJSON`` passes through (NaN, Infinity, 1e999)."""
    return value.text if isinstance(value, RawJSON) else json.dumps(value)


@dataclass(frozen=True)
class RawJSON:
    text: str


def _bounds(param: dict) -> tuple[float, float] | None:
    found = re.search(r"between (-?[\d.]+) and (-?[\d.]+)", param.get("type", {}).get("description", ""))
    return (float(found.group(1)), float(found.group(2))) if found else None


def _choices(param: dict) -> list[str]:
    kind = param.get("type", {})
    return list(kind.get("enum") or kind.get("items", {}).get("enum") or [])


def _numbers(param: dict) -> list:
    values = ["abc", "3", [1, 2], RawJSON("NaN"), RawJSON("Infinity"), RawJSON("-Infinity"), RawJSON("1e999"),
              -1e308, True, {}]
    bounds = _bounds(param)
    if bounds:
        low, high = bounds
        values += [low - 1, high + 1, low + 0.5]   # the last: not a whole number, or a valid float
    return values


def malformed(param: dict) -> list:
    """Values that do not fit ``param``'s component (the first ones are the commonest mistakes)."""
    component = param["component"].lower()
    choices = _choices(param)
    common = [None, BIG, [], {}, ""]
    if component in ("slider", "number"):
        return _numbers(param) + common
    if component in ("dropdown", "radio"):
        near = (choices[0] + " ") if choices else "x"
        return ["no-such-choice", 5, [choices[0] if choices else "a"], near, True] + common
    if component == "checkboxgroup":
        first = choices[0] if choices else "a"
        return [first, ["no-such-choice"], [None], [BIG], [[first]], {first: True}] + common
    if component == "checkbox":
        return ["true", 1, 0, [True]] + common
    if component == "textbox":
        return [5, ["a"], {"a": 1}, "x" * 2001, RawJSON('"\\ud800"'), RawJSON('"a\\u0000b"'), True] + common
    if component in ("imageeditor", "sketchpad", "image"):
        upload_of = lambda path: {"path": path, "meta": FILE_META}  # noqa: E731
        files = ["abc", SERVER_FILE, {"path": SERVER_FILE}, upload_of(SERVER_FILE), upload_of("/etc/passwd"),
                 {"url": "data:image/png;base64,AAAA"}, 5]
        if component == "image":
            return files + common
        return files + [
            {"background": upload_of(SERVER_FILE), "layers": [], "composite": None},
            {"background": None, "layers": [{"path": "/etc/passwd"}], "composite": None},
            {"background": None, "layers": "abc", "composite": None},
            {"id": BIG}, {"id": "no-such-blob"}, {"background": 5},
        ] + common
    return common


def _baseline(param: dict):
    """The value a case leaves in ``param``: its CHEAP value (within the parameter's bounds, where
    two labs' settings of one name have different ones), else its default."""
    name = param["parameter_name"]
    if name not in CHEAP:
        return param.get("parameter_default")
    bounds = _bounds(param)
    if bounds and isinstance(CHEAP[name], (int, float)):
        return type(CHEAP[name])(min(max(CHEAP[name], bounds[0]), bounds[1]))
    return CHEAP[name]


def _body(values: list) -> str:
    return '{"data": [' + ", ".join(_raw(v) for v in values) + "]}"


def cases(info: dict, rounds: int | None) -> list[Case]:
    """Round r sends the r-th malformed value of every parameter (cycling through its list);
    then each endpoint gets wrong argument counts, and the first endpoint malformed bodies.
    ``rounds=None``: every value of every parameter. Languages alternate."""
    endpoints = sorted(info["named_endpoints"].items())
    per_param = [(api, params, i, malformed(p)) for api, ep in endpoints
                 for params in [ep["parameters"]] for i, p in enumerate(params)]
    longest = max((len(values) for *_, values in per_param), default=0)
    found: list[Case] = []
    for r in range(longest if rounds is None else rounds):
        for n, (api, params, index, values) in enumerate(per_param):
            if rounds is None and r >= len(values):
                continue
            value = values[(n + r) % len(values)]
            data = [_baseline(p) for p in params]
            data[index] = value
            sent = _raw(value)
            found.append(Case(api, f"{params[index]['parameter_name']} = {sent[:40]}", _body(data), sent))
    for api, ep in endpoints:
        data = [_baseline(p) for p in ep["parameters"]]
        for what, values in (("no values", []), ("one value too few", data[:-1]), ("one value too many", data + [1]),
                             ("every value twice", data + data)):
            if values != data:
                found.append(Case(api, what, _body(values), ""))
    first = endpoints[0][0]
    for what, body in (('"data" is a number', '{"data": 5}'), ('"data" is null', '{"data": null}'),
                       ('no "data"', "{}"), ("not JSON", "{data: ["), ("a list", "[1, 2]"),
                       ('"data" is 100 KB of text', json.dumps({"data": BIG}))):
        found.append(Case(first, what, body, body))
    return [Case(c.endpoint, c.what, c.body, c.sent, "zh" if n % 2 else "en") for n, c in enumerate(found)]


# ---------------------------------------------------------------------------------------------
# calls and checks


def echoes_too_much(message: str, sent: str) -> bool:
    """Whether ``message`` repeats more than ECHO_CHARS characters of ``sent`` in one piece."""
    n = ECHO_CHARS + 1
    return any(message[i:i + n] in sent for i in range(len(message) - n + 1))


def check_message(message, lang: str, sent: str) -> list[str]:
    if not isinstance(message, str) or not message.strip():
        return [f"no message ({message!r})"]
    problems = []
    if len(message) > MESSAGE_CHARS:
        problems.append(f"message of {len(message)} characters")
    if (lang == "zh") != bool(CJK.search(message)):
        problems.append(f"not in {lang}")
    if echoes_too_much(message, sent):
        problems.append(f"echoes more than {ECHO_CHARS} characters of the input")
    return problems


def call(client: httpx.Client, base: str, case: Case) -> Answer:
    headers = {"content-type": "application/json", "accept-language": LANGUAGES[case.lang]}
    start = time.perf_counter()
    posted = client.post(f"{base}gradio_api/call{case.endpoint}", content=case.body.encode(),
                         headers=headers, timeout=CALL_TIMEOUT_S)
    if posted.status_code != 200:
        try:
            detail = posted.json().get("detail")
        except (ValueError, AttributeError):
            detail = posted.text
        answer = Answer(case, "error", detail if isinstance(detail, str) else json.dumps(detail),
                        time.perf_counter() - start)
        answer.problems = check_message(detail if isinstance(detail, str) else None, case.lang, case.sent)
        if not isinstance(detail, str):
            answer.problems.append(f"HTTP {posted.status_code} with a structured detail")
        return answer
    event_id = posted.json()["event_id"]
    outcome, message = None, None
    with client.stream("GET", f"{base}gradio_api/call{case.endpoint}/{event_id}", headers=headers,
                       timeout=CALL_TIMEOUT_S) as stream:
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                outcome = "success" if kind == "complete" else "error"
                if kind == "error":
                    data = json.loads(line[5:]) if line[5:].strip() not in ("", "null") else None
                    message = data.get("error") if isinstance(data, dict) else None
                break
    answer = Answer(case, outcome or "none", message, time.perf_counter() - start)
    if outcome is None:
        answer.problems.append("the stream ended without success or error")
    elif outcome == "error":
        answer.problems = check_message(message, case.lang, case.sent)
    return answer


def run_cases(base: str, found: list[Case]) -> list[Answer]:
    with httpx.Client() as client, ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda case: call(client, base, case), found))


def server_answers(base: str) -> bool:
    """A valid, cheap call still succeeds."""
    with httpx.Client() as client:
        case = Case("/diffusion_forward", "valid", _body(["digit", "3", 0, "china", "cosine", 300, 0]), "")
        return call(client, base, case).outcome == "success"


def info_of(base: str) -> dict:
    return httpx.get(f"{base}gradio_api/info", timeout=60).json()


TRACEBACK = re.compile(r"Traceback \(most recent call last\)")


# ---------------------------------------------------------------------------------------------
# the test


def test_every_malformed_call_gets_a_short_message_in_the_callers_language(server_url, caplog, capfd):
    import logging

    caplog.set_level(logging.WARNING)
    info = info_of(server_url)
    found = cases(info, ROUNDS_IN_CI)
    assert len({c.endpoint for c in found}) == len(info["named_endpoints"]) and len(found) >= 200
    answers = run_cases(server_url, found)
    failures = [f"{a.case.endpoint} [{a.case.lang}] {a.case.what}: {', '.join(a.problems)} -> {str(a.message)[:120]}"
                for a in answers if a.problems]
    assert not failures, f"{len(failures)} of {len(answers)} answers failed:\n" + "\n".join(failures[:40])
    assert sum(a.outcome == "error" for a in answers) > 0.8 * len(answers)
    assert server_answers(server_url)
    out, err = capfd.readouterr()
    assert not TRACEBACK.search(out + err), (out + err)[-3000:]
    logged_tracebacks = [r for r in caplog.records if r.exc_info or TRACEBACK.search(r.getMessage())]
    assert not logged_tracebacks, [f"{r.name}: {r.getMessage()[:200]}" for r in logged_tracebacks[:10]]


# ---------------------------------------------------------------------------------------------
# script mode


class _Tee:
    """Writes to a stream and keeps a copy (gradio prints tracebacks with traceback.print_exc)."""

    def __init__(self, stream):
        self.stream, self.kept = stream, []

    def write(self, text):
        self.kept.append(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1000, help="send at least this many cases")
    parser.add_argument("--url", help="fuzz a server already running there (its log is not checked)")
    args = parser.parse_args()

    import logging
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    records: list[logging.LogRecord] = []
    collector = logging.Handler(logging.WARNING)
    collector.emit = records.append
    logging.getLogger().addHandler(collector)
    tee = sys.stderr = _Tee(sys.stderr)
    base = args.url
    if base is None:
        import app
        from tests.conftest import free_port

        port = free_port()
        app.demo.launch(prevent_thread_lock=True, quiet=True,
                        **app.launch_kwargs() | {"server_name": "127.0.0.1", "server_port": port})
        base = f"http://127.0.0.1:{port}/"
    info = info_of(base)
    everything = cases(info, None)
    found = (everything * (args.calls // len(everything) + 1))[:max(args.calls, len(everything))]
    start = time.perf_counter()
    answers = run_cases(base, found)
    seconds = time.perf_counter() - start
    alive = server_answers(base)
    failed = [a for a in answers if a.problems]
    tracebacks = len(TRACEBACK.findall("".join(tee.kept))) + sum(bool(r.exc_info) for r in records)
    warnings = sum(r.levelno == logging.WARNING for r in records)
    by_kind: dict[str, int] = {}
    for a in failed:
        for p in a.problems:
            kind = re.sub(r"\d+", "N", p)
            by_kind[kind] = by_kind.get(kind, 0) + 1
    latencies = sorted(a.seconds for a in answers)
    print(f"calls: {len(answers)} to {len(info['named_endpoints'])} endpoints in {seconds:.0f} s "
          f"({THREADS} at a time; median {latencies[len(latencies) // 2]:.2f} s, max {latencies[-1]:.1f} s)")
    print(f"successes: {sum(a.outcome == 'success' for a in answers)}, errors with a message: "
          f"{sum(a.outcome == 'error' and not a.problems for a in answers)}")
    print(f"failed checks: {len(failed)} {by_kind}")
    print(f"message-less errors: {sum(any(p.startswith('no message') for p in a.problems) for a in answers)}")
    print(f"longest message: {max((len(a.message or '') for a in answers), default=0)} characters")
    print(f"tracebacks in the log: {tracebacks}; WARNING lines: {warnings}; server answers afterwards: {alive}")
    for a in failed[:30]:
        print(f"  {a.case.endpoint} [{a.case.lang}] {a.case.what}: {', '.join(a.problems)} -> {str(a.message)[:150]}")
    sys.stdout.flush()
    os._exit(1 if failed or tracebacks or not alive else 0)


if __name__ == "__main__":
    main()
