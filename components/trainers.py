"""Live training slices in worker processes, so training does not share the server's interpreter lock.

Why. With a class of 30 training at once on 2 cores (issue 14's load benchmark), the GAN runs
together made 142 iterations a second where one trainer alone makes ~400: inside the server an
iteration took 14 ms against 2.5 ms alone. A tiny network's iteration is a few hundred short torch
operators, and torch takes the interpreter lock (GIL) back after each one, while the other CPU
slot's training, gradio's streaming and the views all run Python in the same process (the convoy
described in ``components.threads``). A worker process has an interpreter of its own.

How. ``components.live`` still hands out the turns (``FairShare``); a turn's slice of training is
done by an idle worker: the run goes to it by pickle and comes back trained. Only the slice's
work crosses, so a worker keeps nothing between slices: any worker can take any run, memory stays
one run per worker, and a worker that dies loses nobody's work (the server still holds the run as
it was before the slice; it respawns the worker and trains that slice itself). The server's run
object takes the trained state in place (``_adopt``), so the handlers' references to it stay good.

Pickling a run with torch's own reduction writes every tensor through ``torch.save`` (a GanRun:
9–13 ms to dump and load). Here tensors travel out of band as raw bytes (pickle protocol 5 buffers,
PEP 574), the rest of the object graph in band: ~1 ms to dump and ~0.7 ms to load. numpy arrays
travel out of band on their own. Parameters stay parameters, and a tensor reached twice (a module's
weight and its optimiser's key) stays one tensor, since pickle memoises what ``reducer_override``
reduces. Gradients are not sent: every step computes its own.

A run's records of every iteration (its curves) are ``Log`` lists: they stay in the server, a
slice receives them empty and sends back only what it appended, which the server's Logs take
(pickle's persistent references: ``_Trip``). Sent whole, a GAN run's six curves were 162 of its
174 KB in band at iteration 3,000, and a trip's cost grew with the run's age.

Workers start as one plain subprocess (``python -m components.trainers FDS MODULES``) that imports
torch and the labs once and forks the other workers (``main``), not through ``multiprocessing``:
its spawn and forkserver start methods import the server's ``__main__`` in each worker, which for
``python app.py`` would build the whole web app there, and forking the server itself is unsafe in
a process that already runs threads (gradio's) and OpenMP. Linux and macOS only; elsewhere runs
train in the server's threads as before.
"""

from __future__ import annotations

import gc
import importlib
import io
import logging
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

import torch
from torch import nn

from components.diverged import Diverged

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
WORKER_NICENESS = 10
_ALIGN = 64   # each tensor's bytes start on a cache line: torch's vectorised kernels read them in place


# ---------------------------------------------------------------------------------------------
# pickling with tensors out of band


def _rebuild_tensor(data: memoryview, dtype: torch.dtype, shape: tuple, requires_grad: bool,
                    is_parameter: bool) -> torch.Tensor:
    flat = torch.frombuffer(data, dtype=dtype) if len(data) else torch.empty(0, dtype=dtype)
    tensor = flat.reshape(shape)
    if is_parameter:
        return nn.Parameter(tensor, requires_grad)
    return tensor.requires_grad_() if requires_grad else tensor


class Log(list):
    """A run's append-only record (a curve: one value per iteration; evaluations as they come).
    In a training worker a slice sees it empty and may only append to it: the server keeps what
    came before and adds what the slice appended (see the module). Everywhere else it is a list."""

    __slots__ = ()


class _Trip:
    """The Logs of one message and its answer, by number: the server numbers the Logs it sends
    (``depart``); the worker gives each number an empty Log (``arrive``) and sends back, by number,
    what was appended to it (``leave``); the server adds that to its own Logs (``back``, then
    ``land`` once the whole answer has been read). A Log reached twice is one number, one Log."""

    def __init__(self):
        self.logs: dict[int, Log] = {}     # number -> this side's Log
        self.numbers: dict[int, int] = {}  # id(Log) -> its number
        self.appended: dict[int, list] = {}

    def depart(self, log: Log) -> int:
        number = self.numbers.setdefault(id(log), len(self.logs))
        self.logs[number] = log
        return number

    def arrive(self, number: int) -> Log:
        if number not in self.logs:
            self.logs[number] = log = Log()
            self.numbers[id(log)] = number
        return self.logs[number]

    def leave(self, log: Log) -> tuple[int, list] | None:
        number = self.numbers.get(id(log))
        return None if number is None else (number, list(log))

    def back(self, reference: tuple[int, list]) -> Log:
        number, self.appended[number] = reference
        return self.logs[number]

    def land(self) -> None:
        for number, appended in self.appended.items():
            self.logs[number].extend(appended)


class _Pickler(pickle.Pickler):
    """Tensors out of band; a ``Log`` as the reference ``log_reference`` gives (None: whole)."""

    def __init__(self, *args, log_reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.log_reference = log_reference

    def persistent_id(self, obj):
        return self.log_reference(obj) if type(obj) is Log else None

    def reducer_override(self, obj):
        if not isinstance(obj, torch.Tensor):
            return NotImplemented
        data = obj.detach().contiguous().reshape(-1).view(torch.uint8).numpy()
        return _rebuild_tensor, (pickle.PickleBuffer(data), obj.dtype, tuple(obj.shape),
                                 obj.requires_grad, isinstance(obj, nn.Parameter))


class _Unpickler(pickle.Unpickler):
    def __init__(self, *args, load_log, **kwargs):
        super().__init__(*args, **kwargs)
        self.persistent_load = load_log


def _send(conn: Connection, obj, log_reference) -> None:
    """Two messages: the pickle with each out-of-band buffer's (offset, length), then all buffers'
    bytes in one writable block. Pickling happens before anything is written, so an object that
    cannot be pickled raises here with the connection untouched. ``log_reference``: how a ``Log``
    travels (``_Trip``)."""
    buffers: list[pickle.PickleBuffer] = []
    stream = io.BytesIO()
    _Pickler(stream, protocol=5, buffer_callback=buffers.append, log_reference=log_reference).dump(obj)
    raws = [buffer.raw() for buffer in buffers]
    spans, offset = [], 0
    for raw in raws:
        spans.append((offset, raw.nbytes))
        offset += -(-raw.nbytes // _ALIGN) * _ALIGN
    block = bytearray(offset)
    for (start, length), raw in zip(spans, raws):
        block[start:start + length] = raw
    conn.send_bytes(pickle.dumps((stream.getvalue(), spans, offset), protocol=5))
    conn.send_bytes(block)


def _receive(conn: Connection, load_log):
    """What ``_send`` sent; ``load_log`` turns a ``Log``'s reference back into a Log (``_Trip``)."""
    payload, spans, size = pickle.loads(conn.recv_bytes())
    block = bytearray(size)   # writable, so the tensors built on it are too (an optimiser writes them)
    conn.recv_bytes_into(block)
    view = memoryview(block)
    buffers = [view[start:start + length] for start, length in spans]
    return _Unpickler(io.BytesIO(payload), buffers=buffers, load_log=load_log).load()


def _adopt(run, trained) -> None:
    """Give ``run`` the state of ``trained`` (its trained copy) in place."""
    state = vars(trained)
    vars(run).clear()
    vars(run).update(state)


# ---------------------------------------------------------------------------------------------
# the worker process


def _train(run, seconds: float) -> None:
    """Iterations for about ``seconds`` (at least one), up to the run's target."""
    deadline = time.perf_counter() + seconds
    while run.iteration < run.target:
        run.train_step()
        if time.perf_counter() >= deadline:
            break


def _prepare(preload: list[str]) -> None:
    """What every worker needs before its first slice."""
    torch.set_num_threads(1)   # the tiny networks are fastest on one thread (components.threads)
    # Below the server in the CPU's queue: the server's work is what a learner waits for (a first
    # view, a Pause, a page update), training soaks up the rest. At the same priority two workers
    # took both cores from the server, and Pause p95 went from 1.3 s to 2.0 s in the load benchmark.
    os.nice(WORKER_NICENESS)
    for module in preload:    # the labs' run classes: importing one at a class's first Start took 2 s
        try:
            importlib.import_module(module)
        except Exception:
            log.exception("a training worker could not import %s", module)


def serve(conn: Connection) -> None:
    """A worker's loop: receive (run, seconds), train, send back (run, error). ``error`` is the
    run's ``Diverged`` (the run then holds its last good step), or the traceback of anything else
    as a RuntimeError; ``run`` is None when it could not even be read."""
    while True:
        trip = _Trip()
        try:
            message = _receive(conn, trip.arrive)
        except EOFError:
            return                 # the server has gone
        except Exception:
            _send(conn, (None, RuntimeError(traceback.format_exc())), trip.leave)
            continue
        run, seconds = message
        error = None
        try:
            _train(run, seconds)
        except Diverged as exc:
            error = exc
        except Exception:
            error = RuntimeError(traceback.format_exc())
        _send(conn, (run, error), trip.leave)


def main(fds: list[int], preload: list[str]) -> None:
    """One worker per connection in ``fds``: this process imports torch and the labs once, then
    forks a worker for each connection after the first and serves the first itself. A forked worker
    shares the imported pages with this one (copy on write): measured, it dirtied 13 MB of its own
    where a worker started on its own holds 233 MB. Safe to fork here: this process has one
    thread and torch has started no thread pool (one thread, and no parallel work yet)."""
    _prepare(preload)
    gc.freeze()                # the collector then leaves the shared objects' pages untouched
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)   # a worker that ends is reaped by the system
    for fd in fds[1:]:
        if os.fork() == 0:
            for other in fds:
                if other != fd:
                    os.close(other)
            serve(Connection(fd))
            os._exit(0)
    for fd in fds[1:]:
        os.close(fd)
    serve(Connection(fds[0]))


# ---------------------------------------------------------------------------------------------
# the server's side


class _Worker:
    """The server's end of one worker's connection; ``process`` is set for the worker it started
    (the others are that one's forks, and end when their connection closes)."""

    def __init__(self, conn: Connection, process: subprocess.Popen | None):
        self.conn, self.process = conn, process

    def close(self) -> None:
        self.conn.close()
        if self.process is None:
            return
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _start_workers(count: int, preload: tuple[str, ...]) -> list[_Worker]:
    """``count`` workers in one started process and its forks (``main``)."""
    pairs = [socket.socketpair() for _ in range(count)]
    fds = [theirs.fileno() for _, theirs in pairs]
    # the worker imports what the server can (as multiprocessing's spawn passes sys.path on)
    path = [str(ROOT), *(entry for entry in sys.path if entry and os.path.isdir(entry))]
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(path))
    process = subprocess.Popen(
        [sys.executable, "-m", "components.trainers", ",".join(map(str, fds)), *preload],
        pass_fds=fds, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    workers = []
    for n, (ours, theirs) in enumerate(pairs):
        theirs.close()
        workers.append(_Worker(Connection(ours.detach()), process if n == 0 else None))
    return workers


class Unavailable(Exception):
    """This slice was not trained in a worker (none configured, the run cannot be pickled, or the
    worker died): the caller trains it in its own thread. The run is as it was before."""


class Pool:
    """``size`` worker processes, started on first use (``start`` starts them ahead). Callers never
    hold more turns than workers (``components.live.CPU`` gives out one turn per slot), so a caller
    that takes an idle worker finds one at once."""

    def __init__(self, size: int):
        self.size = size if os.name == "posix" else 0
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._refused: set[type] = set()   # run classes that could not be pickled (logged once)
        self._preload: tuple[str, ...] = ()

    def start(self, preload: tuple[str, ...] = ()) -> None:
        """Start the workers (it returns at once: they import in the background); each imports
        the modules in ``preload`` (the labs' ``run_modules``) before it takes a slice."""
        with self._lock:
            self._preload = tuple(preload)
            if self._workers:
                return
            self._workers = _start_workers(self.size, self._preload)
            for worker in self._workers:
                self._idle.put(worker)

    def train(self, run, seconds: float) -> None:
        """Train ``run`` for about ``seconds`` in a worker and give it the result; raises the run's
        ``Diverged`` as ``train_step`` would, or ``Unavailable`` (see there)."""
        if not self.size or type(run) in self._refused:
            raise Unavailable
        if not self._workers:
            self.start()
        worker = self._idle.get()
        trip = _Trip()
        try:
            try:
                _send(worker.conn, (run, seconds), trip.depart)
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                self._refused.add(type(run))
                log.warning("%s cannot train in a worker process (%s); it trains in the server",
                            type(run).__name__, exc)
                raise Unavailable from exc
            trained, error = _receive(worker.conn, trip.back)
            if trained is None:   # the worker could not read it (a class it cannot import)
                self._refused.add(type(run))
                log.warning("%s cannot train in a worker process; it trains in the server\n%s",
                            type(run).__name__, error)
                raise Unavailable
        except (EOFError, OSError) as exc:
            log.warning("a training worker stopped (%s); starting another", exc)
            worker = self._replace(worker)
            raise Unavailable from exc
        finally:
            self._idle.put(worker)
        trip.land()
        _adopt(run, trained)
        if error is not None:
            raise error

    def _replace(self, worker: _Worker) -> _Worker:
        worker.close()
        fresh, = _start_workers(1, self._preload)
        with self._lock:
            self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        with self._lock:
            for worker in self._workers:
                worker.close()
            self._workers.clear()
            self._idle = queue.SimpleQueue()


if __name__ == "__main__":
    # run as components.trainers, not __main__: what the worker pickles names its functions there
    from components import trainers
    trainers.main([int(fd) for fd in sys.argv[1].split(",")], sys.argv[2:])
