"""A classroom on one machine: learners training and sampling at once, through gradio_client.

    python -m benchmarks.load [--minutes 3] [--learners 30] [--sessions 200] [--only KIND] [--baseline-every S]

The app runs in its own process on a local port (as on a Space: the learners' clients are not in
the server's interpreter). ``--learners`` are split like a class of 30: a third train the GAN
(5,000 iterations a Start), a sixth each train the 2D diffusion model, sample digits
(``/diffusion_sample``), decode (``/decode``) and analyse attention (``/attention``), all with the
labs' default settings. Every learner first opens the app (as a class opens the Space when told
to), then they act within 3 s of each other (the class's opening burst), and each repeats for
``--minutes``: act, look at the answer for a few seconds, act again; a trainer presses Pause
after watching its run for a while. The learners live in one process per kind, so the clients'
own threads do not slow one another's readings.

Printed:
- time to first update per kind (a trainer's first streamed frame, a streamed one-shot call's
  first view, an attention analysis's answer): median, p95, max; target p95 ≤ 5 s and max ≤ 10 s;
  for the streamed one-shot calls (sampling, decoding) also their last view, median and p95;
- how often a training learner saw a new frame while watching its run (the frame interval under load);
- opening the app (gradio_client reading the config and API description, as a page load);
- Pause latency (pressing Pause to the first frame that shows the run paused): p95, target ≤ 1 s;
  the Pauses every trainer still watching presses at the deadline, all at once, apart (``pause_parts``);
- errors (any call that failed), target 0;
- aggregate GAN iterations per second across the GAN trainers, while every learner is active, as a
  ratio to one headless trainer trained in this process, target ≥ 0.8 with ``--only gan`` (every
  learner trains: fair sharing must not waste the machine). This machine's speed drifts by up to
  45 % within minutes, so with ``--only gan`` the baseline is read inside the class's minutes:
  every 15 s (``--baseline-every``) the whole class (server, workers, clients) is stopped with
  SIGSTOP for a 1.5 s headless reading, and the ratio is against their median; the class's rate
  counts only the time it ran, and the latencies a stop fell into are left out. Readings before
  and after the class are printed too. In the class's mix the GAN runs get their share beside
  the others' work, and the ratio is reported without a target (against the mean of the readings
  before and after);
- the memory of the server and its training worker processes (their summed PSS: pages they share
  count once) at start, its peak (sampled every second) and after the learners have left, target
  peak ≤ 1.5 GB; and the server process's own peak RSS;
- that memory after ``--sessions`` sessions have come and gone (each opens the app, steps a GAN,
  closes) against the memory after the first 10, target ≤ 10% growth.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("gan", "diffusion_2d", "sampler", "decoder", "attention")
SHARE = {"gan": 10, "diffusion_2d": 5, "sampler": 5, "decoder": 5, "attention": 5}   # of a class of 30
ENDPOINT = {"gan": "/gan_start", "diffusion_2d": "/diffusion_2d_start", "sampler": "/diffusion_sample",
            "decoder": "/decode", "attention": "/attention"}
# one-shot calls that stream their progress (their first view is the first update; the last, reported too)
STREAMED = {"sampler", "decoder"}
PAUSE = {"gan": "/gan_pause", "diffusion_2d": "/diffusion_2d_pause"}
CHANGES = {"gan": {"iterations": 5000}}        # over the endpoint's defaults
STOPPED_READING_S = 1.5   # a headless reading while the class is stopped (read_with_the_class_stopped)
THINK_S = (2.0, 5.0)                           # a learner looks at an answer this long before acting again
WATCH_S = (5.0, 20.0)                          # a trainer watches its run this long, then presses Pause
CONNECT_TIMEOUT_S = 60.0
TARGETS = {"first_p95": 5.0, "first_max": 10.0, "pause_p95": 1.0, "ratio": 0.8, "peak_gb": 1.5, "growth": 0.10}


@dataclass
class Record:
    """What one learner saw."""
    kind: str
    first_update_s: list[float] = field(default_factory=list)
    asked_at: list[float] = field(default_factory=list)  # when each of those actions was sent (time.time())
    # each Pause: (pressed at (time.time()), its call answered after, the paused frame shown after,
    # pressed at the deadline with every trainer still watching)
    pauses: list[tuple[float, float, float, bool]] = field(default_factory=list)
    done: list[tuple[float, float]] = field(default_factory=list)   # a streamed one-shot call: (asked at, last view after)
    # a trainer's watch of its run: (began at, lasted, seconds per frame it saw)
    frame_gaps: list[tuple[float, float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    iterations: list[tuple[float, int]] = field(default_factory=list)   # (time, GAN iterations gained)
    first_at: float | None = None        # when this learner first saw an answer (time.time())
    connect_s: float | None = None       # opening the app (gradio_client's config and API info), as a page load


def learner_client(url: str, **httpx_options):
    """A simulated learner's gradio_client. It opens a new httpx client for every call, and with
    certificate checks on, each one read the system's CA bundle again (~36 ms of CPU here, two or
    more per call) to talk plain http to 127.0.0.1: a py-spy profile of the learners' process
    found 56 % of its CPU there, taken from the server's 2 cores. A browser pays nothing of the
    kind, and plain http has no certificate to check."""
    from gradio_client import Client

    return Client(url, verbose=False, ssl_verify=False, httpx_kwargs=httpx_options or None)


# ---------------------------------------------------------------------------------------------
# the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log: Path, switch_interval_ms: float | None = None,
                 train_workers: int | None = None) -> subprocess.Popen:
    code = ("import app; app.serve(**app.launch_kwargs() | "
            f"{{'server_name': '127.0.0.1', 'server_port': {port}}})")
    env = os.environ | {"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    if train_workers is not None:   # components/live.py: 0 trains in the server's threads
        env["AIGC_TRAIN_WORKERS"] = str(train_workers)
    if switch_interval_ms is not None:   # components/threads.py: the interpreter's switch interval
        env["AIGC_SWITCH_INTERVAL_MS"] = str(switch_interval_ms)
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=log.open("w"),
                              stderr=subprocess.STDOUT)
    import httpx

    deadline = time.time() + 600
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/gradio_api/info", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        assert server.poll() is None, log.read_text()[-3000:]
        time.sleep(1)
    raise TimeoutError("the app did not start")


def family(pid: int) -> list[int]:
    """The server and its descendants (the training worker processes, components.trainers: one the
    server starts and the ones that one forks)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            pass   # a process that ended while we looked
    members = [pid]
    for member in members:
        members += [child for child, parent in parents.items() if parent == member]
    return members


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(CPU seconds the server and its workers have used, CPU seconds the whole machine has been busy)."""
    tick = os.sysconf("SC_CLK_TCK")
    server = 0.0
    for member in family(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        server += (int(fields[11]) + int(fields[12])) / tick          # utime + stime
    user, nice, system, idle, iowait, *rest = map(int, Path("/proc/stat").read_text().split("\n")[0].split()[1:])
    busy = user + nice + system + sum(rest[:3])                   # irq, softirq, steal
    return server, busy / tick


def rss_gb(pid: int, field_name: str = "VmRSS") -> float:
    """One process's RSS (``VmHWM``: its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024 ** 2
    raise KeyError(field_name)


def memory_gb_alone(pid: int) -> float:
    """The server process's own proportional set size."""
    lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    return sum(int(line.split()[1]) for line in lines if line.startswith("Pss:")) / 1024 ** 2


def memory_gb(pid: int) -> float:
    """What the server and its training workers hold: the sum of their proportional set sizes (a
    page the processes share counts once across them; their RSS would count it in each: the
    workers share their imported torch with one another)."""
    total = 0
    for member in family(pid):
        try:
            lines = Path(f"/proc/{member}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in lines if line.startswith("Pss:"))
    return total / 1024 ** 2


# ---------------------------------------------------------------------------------------------
# learners (run in child processes: one per kind)


def _defaults(url: str, api_name: str) -> tuple[list, list[str]]:
    """The endpoint's default values and parameter names, from the server's API description."""
    import httpx

    info = httpx.get(f"{url}gradio_api/info", timeout=60).json()["named_endpoints"][api_name]
    return [p.get("parameter_default") for p in info["parameters"]], [p["parameter_name"] for p in info["parameters"]]


def _iteration(status) -> int | None:
    found = re.search(r"Iteration (\d+)", status) if isinstance(status, str) else None
    return int(found.group(1)) if found else None


def _learner(kind: str, number: int, url: str, begin: float, until: float, settings: list, out: list) -> None:
    """One learner: opens the app at once, acts first at ``begin`` and keeps acting until ``until``."""
    rng = random.Random(f"{kind}-{number}")
    record = Record(kind)
    out.append(record)
    opened = time.perf_counter()
    try:
        # a browser waits for a busy page; gradio_client's own 5 s read timeout would count a
        # slow page load as a failure, so the time to connect is measured instead
        client = learner_client(url, timeout=CONNECT_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - a benchmark counts every failure
        record.errors.append(f"connect: {exc!r}"[:200])
        return
    record.connect_s = time.perf_counter() - opened
    while time.time() < begin:
        time.sleep(0.01)
    while time.time() < until:
        values = list(settings)
        start = time.perf_counter()
        try:
            if kind in PAUSE or kind in STREAMED:
                sketch = [None] if kind in PAUSE else []   # the trainers' sketch pad, sent empty
                job = _submitted_until_first_view(client, [*values, *sketch], ENDPOINT[kind])
            else:
                client.predict(*values, api_name=ENDPOINT[kind])
            record.first_update_s.append(time.perf_counter() - start)
            record.asked_at.append(time.time() - (time.perf_counter() - start))
            record.first_at = record.first_at or time.time()
            if kind in PAUSE:
                watching, watch_until = time.perf_counter(), time.time() + rng.uniform(*WATCH_S)
                last = 0
                while not job.done() and time.time() < min(watch_until, until):
                    time.sleep(0.05)
                    last = _credit(record, job, last)
                frames = len(job.outputs()) - 1   # after the first view
                if not job.done() and frames > 0:
                    watched = time.perf_counter() - watching
                    record.frame_gaps.append((time.time() - watched, watched, watched / frames))
                if not job.done():
                    # at the deadline, every trainer still watching presses Pause in the same few
                    # milliseconds: that is how the class ends, measured apart (see pause_parts)
                    ending = time.time() >= until
                    pressed, pressed_at, shown = time.perf_counter(), time.time(), len(job.outputs())
                    client.predict(api_name=PAUSE[kind])
                    answered = time.perf_counter() - pressed
                    while not job.done() and not _shows_pause(job.outputs()[shown:]):
                        time.sleep(0.01)
                    record.pauses.append((pressed_at, answered, time.perf_counter() - pressed, ending))
                    job.result(timeout=120)
                job.result(timeout=600)
                _credit(record, job, last)
            elif kind in STREAMED:
                job.result(timeout=600)
                record.done.append((record.asked_at[-1], time.perf_counter() - start))
        except Exception as exc:  # noqa: BLE001
            record.errors.append(f"{ENDPOINT[kind]}: {exc!r}"[:200])
        time.sleep(rng.uniform(*THINK_S))
    client.close()


def _submitted_until_first_view(client, values: list, api_name: str):
    """A streaming call, once its first view has come (its error raised if it ended without one)."""
    job = client.submit(*values, api_name=api_name)
    while not job.outputs() and not job.done():
        time.sleep(0.01)
    if not job.outputs():
        job.result()
    return job


def _shows_pause(outputs: list) -> bool:
    """Whether one of these frames shows the run paused (its status carries the paused note)."""
    from components.i18n import translate

    paused = translate("live_paused", "en")
    return any(isinstance(out[0], str) and paused in out[0] for out in outputs)


def _credit(record: Record, job, last: int) -> int:
    """Credit the GAN iterations the job's newest frame shows beyond ``last``."""
    if record.kind != "gan":
        return last
    outputs = job.outputs()
    iteration = _iteration(outputs[-1][0]) if outputs else None
    if iteration is not None and iteration > last:
        record.iterations.append((time.time(), iteration - last))
        return iteration
    return last


def run_kind(kind: str, count: int, url: str, start_at: float, until: float, results, niceness: int = 0) -> None:
    """``count`` learners of one kind, as threads of this (child) process, staggered over 3 s, at
    ``niceness`` (see ``--clients-nice``)."""
    import threading

    os.nice(niceness)
    settings, names = _defaults(url, ENDPOINT[kind])
    for name, value in CHANGES.get(kind, {}).items():
        settings[names.index(name)] = value
    if kind in PAUSE:
        settings = settings[:-1]   # the sketch, sent as None
    records: list[Record] = []
    threads = []
    for n in range(count):
        begin = start_at + 3.0 * n / max(count, 1)
        thread = threading.Thread(target=_learner, args=(kind, n, url, begin, until, settings, records), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=max(1.0, until - time.time()) + 300)
    results.put([record.__dict__ for record in records])


# ---------------------------------------------------------------------------------------------
# the headless baseline and the sessions that come and go


class Headless:
    """One GAN run trained in this process on one thread, default settings: the baseline trainer."""

    def __init__(self):
        import torch

        from demos.gan import core
        from demos.gan.data import make_dataset

        torch.set_num_threads(1)
        self.train = core.train
        self.run = core.GanRun(core.GanSettings(), make_dataset("ring"))
        self.train(self.run, 50)

    def rate(self, seconds: float) -> float:
        """GAN iterations per second now: the median of three readings over ``seconds``."""
        self.train(self.run, 20)   # its caches warm again after the class had the cores
        rates = []
        for _ in range(3):
            start, done = time.perf_counter(), 0
            while time.perf_counter() - start < seconds / 3:
                self.train(self.run, 10)
                done += 10
            rates.append(done / (time.perf_counter() - start))
        return statistics.median(rates)


def read_with_the_class_stopped(pids: list[int], headless: Headless, seconds: float) -> tuple[float, float, float]:
    """Stop the whole class (SIGSTOP: the server, its training workers, the learners' clients),
    read the headless trainer's rate on the quiet machine, let the class go on: (stopped at,
    continued at, it/s). This machine's speed drifts by up to 45 % within minutes (it is a
    virtual machine's share of a host), so a baseline read only before and after the class
    could not tell whether 0.8 of it was met; read inside the class's minutes, it can."""
    import signal

    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    stopped = time.time()
    try:
        rate = headless.rate(seconds)
    finally:
        continued = time.time()
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    return stopped, continued, rate


def clear_of(stops: list[tuple[float, float, float]], start: float, length: float) -> bool:
    """Whether [start, start + length] missed every stop of the class (its latency is the class's
    own, not the stop's)."""
    return all(start + length < stopped or start > continued for stopped, continued, _ in stops)


def gained_between(records: list[Record], begin: float, end: float) -> int:
    """GAN iterations the learners saw credited in [begin, end)."""
    return sum(n for x in records for t, n in x.iterations if begin <= t < end)


def stretches(records: list[Record], stops: list[tuple[float, float, float]], begin: float) -> list[tuple[float, float]]:
    """The class's GAN iterations per second in each stretch it ran up to a stop (from ``begin``,
    or the stop before), with the headless reading of that stop: (class, headless)."""
    found, since = [], begin
    for stopped, continued, rate in stops:
        if stopped > since:
            found.append((gained_between(records, since, stopped) / (stopped - since), rate))
        since = continued
    return found


def stopped_within(stops: list[tuple[float, float, float]], begin: float, end: float) -> float:
    """Seconds of [begin, end] the class was stopped for."""
    return sum(max(0.0, min(end, continued) - max(begin, stopped)) for stopped, continued, _ in stops)


def sessions_come_and_go(url: str, n: int, at_once: int = 5) -> None:
    """``n`` sessions, ``at_once`` at a time: each opens the app, takes one GAN step and closes."""
    from concurrent.futures import ThreadPoolExecutor

    settings, _ = _defaults(url, "/gan_step")

    def one(_):
        client = learner_client(url)
        client.predict(*settings[:-2], None, settings[-1], api_name="/gan_step")
        client.close()

    with ThreadPoolExecutor(at_once) as pool:
        list(pool.map(one, range(n)))


def settle(pid: int, seconds: float = 25.0) -> float:
    """RSS once closed sessions have ended: a client's heartbeat notices its close within 15 s."""
    time.sleep(seconds)
    return memory_gb(pid)


# ---------------------------------------------------------------------------------------------
# report


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def pause_parts(pauses: list[tuple[float, float, float, bool]]) -> str:
    """Where a Pause's time goes: its own call (pressing to the answer), then the paused frame's
    arrival; and the Pauses of the deadline, when every trainer still watching pressed at once.

    Those are reported apart, without a target: ~20 gradio_client calls in the same 50 ms, each
    ~70 ms of the client's own CPU, queue for the 2 cores in the simulated clients before they
    reach the server (the same burst on an idle server, from 22 separate processes: 0.5 s before
    the first reached its handler, 1.1–1.5 s to the last answer). A real class's browsers have
    their own machines, and its learners do not press in the same 50 ms."""
    line = (f"each Pause's call answered p95 {percentile([a for _, a, _, _ in pauses], 0.95):.2f} s, its paused "
            f"frame after that p95 {percentile([t - a for _, a, t, _ in pauses], 0.95):.2f} s")
    ending = [t for _, _, t, at_deadline in pauses if at_deadline]
    if ending:
        line += (f"; at the deadline, {len(ending)} pressed at once (no target): median "
                 f"{statistics.median(ending):.2f} s, max {max(ending):.2f} s")
    return line


def counts(learners: int, only: str | None = None) -> dict[str, int]:
    """Learners per kind: the class's mix, or all of them doing ``only``."""
    if only:
        return {only: learners}
    return {kind: max(1, round(share * learners / 30)) for kind, share in SHARE.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0, help="how long each learner keeps acting")
    parser.add_argument("--learners", type=int, default=30, help="class size (split 10:5:5:5:5)")
    parser.add_argument("--sessions", type=int, default=200, help="sessions that come and go, for memory")
    parser.add_argument("--log", type=Path, default=Path("/tmp/aigc-load-server.log"))
    parser.add_argument("--only", choices=KINDS, default=None,
                        help="every learner does this (e.g. gan: a class training at once, the fairness claim)")
    parser.add_argument("--switch-interval-ms", type=float, default=None,
                        help="the server's GIL switch interval (default: the app's own; CPython's is 5)")
    parser.add_argument("--clients-nice", type=int, default=0,
                        help="run the learners' clients at this niceness (e.g. 5: below the server, above "
                             "the training workers at 10), so the server has the CPU it would have if they "
                             "were on their own machines, as in a real class")
    parser.add_argument("--train-workers", type=int, default=None,
                        help="training worker processes (default: the app's own, one per core; 0 trains "
                             "in the server's threads, as before issue 14's worker processes)")
    parser.add_argument("--baseline-every", type=float, default=None,
                        help="stop the class this often (seconds) for a headless reading (default: 15 with "
                             "--only gan, whose ratio has a target; 0, never, otherwise)")
    parser.add_argument("--dump", type=Path, default=None, help="write what every learner saw to this JSON file")
    args = parser.parse_args()
    if args.baseline_every is None:
        args.baseline_every = 15.0 if args.only == "gan" else 0.0

    load_before = os.getloadavg()
    port = free_port()
    server = start_server(port, args.log, args.switch_interval_ms, args.train_workers)
    url = f"http://127.0.0.1:{port}/"
    try:
        report = measure(server.pid, url, args)
    finally:
        server.terminate()
        server.wait(timeout=60)
    report["load"] = (load_before, os.getloadavg())
    report["tracebacks"] = args.log.read_text(errors="replace").count("Traceback (most recent call last)")
    if args.dump:
        args.dump.write_text(json.dumps({"start_at": report["start_at"], "stops": report["stops"],
                                         "records": [x.__dict__ for x in report["records"]]}))
    print_report(report, args)


def measure(pid: int, url: str, args) -> dict:
    warm = learner_client(url)   # load the models once, as the first learners of a day would
    for kind in ("sampler", "decoder", "attention"):
        settings, _ = _defaults(url, ENDPOINT[kind])
        warm.predict(*settings, api_name=ENDPOINT[kind])
    warm.close()
    rss_start = memory_gb(pid)
    headless = Headless()
    rate_before = headless.rate(6.0)

    per_kind = counts(args.learners, args.only)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    # the children import gradio_client, then every learner opens the app (a class opening the
    # Space): a gradio_client connection costs ~0.2 s of the client's CPU and ~0.16 s of the
    # server's, so 30 at once take ~10 s on 2 cores; the class presses Start after that, within 3 s
    start_at = time.time() + 30
    until = start_at + 60 * args.minutes
    children = [context.Process(target=run_kind, args=(kind, n, url, start_at, until, results, args.clients_nice))
                for kind, n in per_kind.items()]
    for child in children:
        child.start()
    peak_seen, cpu, stops = 0.0, [], []
    # the class is stopped for a headless reading every --baseline-every seconds once its opening
    # burst is over, and not near the deadline, where every trainer presses Pause at once
    next_stop = start_at + 15 if args.baseline_every else float("inf")
    while any(child.is_alive() for child in children) and results.qsize() < len(children):
        peak_seen = max(peak_seen, memory_gb(pid))
        cpu.append((time.time(), *cpu_seconds(pid)))
        if next_stop <= time.time() < until - 8:
            stops.append(read_with_the_class_stopped(family(pid) + [child.pid for child in children],
                                                     headless, STOPPED_READING_S))
            cpu.append((time.time(), *cpu_seconds(pid)))
            next_stop = time.time() + args.baseline_every
        time.sleep(1)
    records = [Record(**r) for _ in children for r in results.get(timeout=900)]
    for child in children:
        child.join(timeout=60)
    rss_after = settle(pid)
    rate_after = headless.rate(6.0)

    sessions_come_and_go(url, 10)
    rss_10 = settle(pid)
    sessions_come_and_go(url, max(0, args.sessions - 10))
    rss_n = settle(pid)
    return dict(per_kind=per_kind, records=records, start_at=start_at, until=until, rss_start=rss_start,
                rss_peak=peak_seen, server_hwm=rss_gb(pid, "VmHWM"), workers=memory_gb(pid) - memory_gb_alone(pid),
                rss_after=rss_after, rate_before=rate_before,
                rate_after=rate_after, rss_10=rss_10, rss_n=rss_n, cpu=cpu, stops=stops)


def switch_interval_ms(args) -> float:
    from components.threads import SWITCH_INTERVAL_S

    return SWITCH_INTERVAL_S * 1000 if args.switch_interval_ms is None else args.switch_interval_ms


def print_report(r: dict, args) -> None:
    records: list[Record] = r["records"]
    stops = r["stops"]

    def clear(start: float, length: float) -> bool:
        return clear_of(stops, start, length)

    ok = True
    lines = [f"# Load: {sum(r['per_kind'].values())} learners for {args.minutes:g} min "
             f"({', '.join(f'{n} {k}' for k, n in r['per_kind'].items())}); "
             f"load average before {r['load'][0][0]:.1f}, after {r['load'][1][0]:.1f}; {os.cpu_count()} CPUs; "
             f"server switch interval {switch_interval_ms(args):g} ms; "
             f"training workers {'the app default' if args.train_workers is None else args.train_workers}", "",
             "| kind | actions | first update median | p95 | max | last view median | p95 | Pause p95 (n) | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    bursts = []
    for kind in KINDS:
        mine = [x for x in records if x.kind == kind]
        if not mine:
            continue
        firsts = [s for x in mine for s, at in zip(x.first_update_s, x.asked_at) if clear(at, s)]
        pauses = [t for x in mine for at, _, t, ending in x.pauses if not ending and clear(at, t)]
        errors = [e for x in mine for e in x.errors]
        first = (f"{statistics.median(firsts):.2f} s | {percentile(firsts, 0.95):.2f} s | {max(firsts):.2f} s"
                 if firsts else "– | – | –")
        pause = f"{percentile(pauses, 0.95):.2f} s ({len(pauses)})" if pauses else "–"
        dones = [s for x in mine for at, s in x.done if clear(at, s)]
        done = f"{statistics.median(dones):.2f} s | {percentile(dones, 0.95):.2f} s" if dones else "– | –"
        lines.append(f"| {kind} | {len(firsts)} | {first} | {done} | {pause} | {len(errors)} |")
        # the class's opening burst (everyone's first Start within 3 s) apart from the rest
        later = [s for x in mine for s, at in zip(x.first_update_s, x.asked_at)
                 if at > r["start_at"] + 20 and clear(at, s)]
        if later:
            bursts.append(f"{kind} {statistics.median(later):.2f} / {percentile(later, 0.95):.2f} / "
                          f"{max(later):.2f} s ({len(later)})")
        ok &= bool(firsts) and percentile(firsts, 0.95) <= TARGETS["first_p95"] and max(firsts) <= TARGETS["first_max"]
    left_out = sum(not clear(at, s) for x in records for s, at in zip(x.first_update_s, x.asked_at))
    left_out += sum(not clear(at, t) for x in records for at, _, t, _ in x.pauses)
    left_out += sum(not clear(at, watched) for x in records for at, watched, _ in x.frame_gaps)
    every_pause = [pause for x in records for pause in x.pauses if clear(pause[0], pause[2])]
    pauses = [t for _, _, t, ending in every_pause if not ending]
    gaps = [gap for x in records for at, watched, gap in x.frame_gaps if clear(at, watched)]
    errors = [e for x in records for e in x.errors]
    # GAN iterations while every learner was active: from the last learner's first answer to the
    # deadline (a learner that never got one is counted among the errors, not here)
    window = (max((x.first_at for x in records if x.first_at), default=r["until"]), r["until"])
    connects = [x.connect_s for x in records if x.connect_s is not None]
    gained = gained_between(records, *window)
    running = window[1] - window[0] - stopped_within(stops, *window)
    aggregate = gained / max(1e-9, running)
    # the baseline: read while the class was stopped, in its own minutes (read_with_the_class_stopped);
    # without such readings, the mean of the readings before and after the class
    readings = [rate for _, _, rate in stops]
    headless = statistics.median(readings) if readings else (r["rate_before"] + r["rate_after"]) / 2
    only_gan = set(r["per_kind"]) == {"gan"}
    growth = r["rss_n"] / r["rss_10"] - 1
    # where the machine's cores went in that window: the server, or the learners' own clients
    # (the stretches between two samples, while the class ran)
    inside = [c for c in r["cpu"] if window[0] <= c[0] <= window[1]]
    spans = [(b[0] - a[0], b[1] - a[1], b[2] - a[2]) for a, b in zip(inside, inside[1:]) if clear(a[0], b[0] - a[0])]
    span = sum(t for t, _, _ in spans)
    server_cores = sum(c for _, c, _ in spans) / span if span else float("nan")
    busy_cores = sum(c for _, _, c in spans) / span if span else float("nan")
    lines += [
        "",
        "- first update, asked after the first 20 s (median / p95 / max): " + ("; ".join(bursts) or "none"),
        f"- Pause latency p95: {percentile(pauses, 0.95):.2f} s over {len(pauses)} pauses "
        f"(target ≤ {TARGETS['pause_p95']:g} s); {pause_parts(every_pause)}"
        if pauses else "- Pause latency: no pauses",
        f"- a training learner saw a new frame every {statistics.median(gaps):.2f} s (median over "
        f"{len(gaps)} watches; p95 {percentile(gaps, 0.95):.2f} s)" if gaps else "- frames: no watch",
        f"- opening the app (a page load, every learner at once): median {statistics.median(connects):.1f} s, "
        f"max {max(connects):.1f} s" if connects else "- opening the app: nobody connected",
        f"- errors: {len(errors)} (target 0); tracebacks in the server log: {r['tracebacks']}",
        f"- the class was stopped {len(stops)} times for a headless reading, {stopped_within(stops, 0, float('inf')):.0f} s "
        f"in all; the {left_out} actions, Pauses and watches that a stop fell into are left out of the figures above"
        if stops else "- the class was never stopped (no headless reading inside it)",
        f"- aggregate GAN training: {aggregate:.0f} it/s over {running:.0f} s; one headless trainer {headless:.0f} it/s "
        + (f"(the median of {len(readings)} readings of {STOPPED_READING_S:g} s with the class stopped, "
           f"{min(readings):.0f}–{max(readings):.0f}; before the class {r['rate_before']:.0f}, after {r['rate_after']:.0f}); "
           if readings else f"(before {r['rate_before']:.0f}, after {r['rate_after']:.0f}); ")
        + f"ratio {aggregate / headless:.2f} "
        + (f"(target ≥ {TARGETS['ratio']:g})" if only_gan else "(no target: the GAN runs share the CPU with the class's "
           "other work; --only gan measures the whole machine's training rate)"),
        "- stretch by stretch (the class's rate up to a stop / the reading in it): " + ", ".join(
            f"{rate:.0f}/{reading:.0f} = {rate / reading:.2f}" for rate, reading in stretches(records, stops, window[0]))
        if stops else "- no stretches (the class was never stopped)",
        f"- cores busy in that window: {busy_cores:.2f} of {os.cpu_count()}, the server and its training workers {server_cores:.2f} "
        f"(the rest: the learners' clients, which a real class runs on its own machines)",
        f"- memory of the server and its training workers (PSS, sampled every second): start {r['rss_start']:.2f} GB, "
        f"peak {r['rss_peak']:.2f} GB (target ≤ {TARGETS['peak_gb']:g} GB; the workers {r['workers']:.2f} GB of it at "
        f"the end), after the learners left {r['rss_after']:.2f} GB; the server process's own peak RSS "
        f"{r['server_hwm']:.2f} GB",
        f"- sessions that came and went: memory after 10 {r['rss_10']:.2f} GB, after {args.sessions} "
        f"{r['rss_n']:.2f} GB: {growth:+.1%} (target ≤ +{TARGETS['growth']:.0%})",
    ]
    for e in errors[:10]:
        lines.append(f"  - {e}")
    ok &= (not pauses or percentile(pauses, 0.95) <= TARGETS["pause_p95"]) and not errors
    ok &= (not only_gan or aggregate / headless >= TARGETS["ratio"]) and r["rss_peak"] <= TARGETS["peak_gb"]
    ok &= growth <= TARGETS["growth"]
    lines.append(f"\nall targets met: {'yes' if ok else 'no'}")
    print("\n".join(lines))
    print(json.dumps({"per_kind": r["per_kind"], "aggregate_it_s": aggregate, "headless_it_s": headless}))


if __name__ == "__main__":
    main()
