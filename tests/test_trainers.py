"""Training slices in worker processes (components.trainers): a run trained slice by slice in the
workers ends exactly where the same run trained in the server ends, for every lab's run class;
divergence, a run that cannot travel and a worker that dies all leave the run intact."""

from __future__ import annotations

import copy
import dataclasses
import logging
import pickle

import pytest
import torch

from components import live, trainers
from components.diverged import Diverged
from components.threads import one_thread
from demos.diffusion import toy2d
from demos.diffusion.tab import new_run as new_toy2d_run
from demos.gan import core as gan
from demos.gan.data import make_dataset
from demos.transformer import core as transformer
from demos.transformer import induction
from demos.vae import compression
from demos.vae import core as vae


@pytest.fixture(scope="module")
def pool():
    workers = trainers.Pool(2)
    yield workers
    workers.close()


def train_in_workers(pool, run, iterations: int, slice_s: float = 0.02) -> int:
    """Train to ``iterations`` more in slices; the number of slices it took."""
    run.target = run.iteration + iterations
    slices = 0
    while run.iteration < run.target:
        pool.train(run, slice_s)
        slices += 1
    return slices


def train_here(run, iterations: int) -> None:
    run.target = run.iteration + iterations
    with one_thread():
        for _ in range(iterations):
            run.train_step()


def tensors(obj, prefix="") -> dict[str, torch.Tensor]:
    """Every tensor reachable from a run's attributes (modules' and optimisers' state included)."""
    found = {}
    if isinstance(obj, torch.Tensor):
        found[prefix] = obj
    elif isinstance(obj, torch.Generator):
        found[prefix] = obj.get_state()
    elif isinstance(obj, torch.nn.Module):
        found |= tensors(obj.state_dict(), prefix)
    elif isinstance(obj, torch.optim.Optimizer):
        found |= tensors(obj.state_dict()["state"], prefix)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            found |= tensors(value, f"{prefix}.{key}")
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            found |= tensors(value, f"{prefix}[{i}]")
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        found |= tensors(vars(obj), prefix)
    return found


RUNS = {
    "gan": lambda: gan.GanRun(gan.GanSettings(), make_dataset("ring")),
    "gan digits": lambda: gan.GanRun(gan.GanSettings(dataset="digits", arch="conv"), make_dataset("digits")),
    "diffusion 2d": lambda: new_toy2d_run(toy2d.Toy2DSettings(), None),
    "vae": lambda: vae.VaeRun(vae.VaeSettings()),
    "vae pair": lambda: compression.PairRun(vae.VaeSettings()),
    "transformer": lambda: transformer.TransformerRun(transformer.DEFAULTS),
    "induction": lambda: induction.InductionRun(induction.INDUCTION_DEFAULTS),
}


@pytest.mark.parametrize("name", RUNS)
def test_a_run_trained_in_slices_in_the_workers_ends_where_the_same_run_trained_here_ends(pool, name):
    """The oracle is the run's own ``train_step`` in this process, from the same seed: every
    tensor (weights, optimiser moments, buffers, fixed view inputs), the curves and the RNG state
    must come back identical, over several round trips."""
    shipped, here = RUNS[name](), RUNS[name]()
    iterations = 24
    assert train_in_workers(pool, shipped, iterations, slice_s=0.0) == iterations   # one trip per iteration
    train_here(here, iterations)
    assert type(shipped) not in pool._refused
    assert shipped.iteration == here.iteration == iterations
    ours, theirs = tensors(shipped), tensors(here)
    assert ours.keys() == theirs.keys() and len(ours) > 5
    for key in ours:
        assert torch.equal(ours[key], theirs[key]), key
    for key, value in vars(here).items():   # curves, counters, RNG: compared as pickled (NaN == NaN)
        if not tensors(value):
            assert pickle.dumps(vars(shipped)[key]) == pickle.dumps(value), key


def test_a_gan_trained_in_the_workers_keeps_its_parameters_shared_and_trains_on_here(pool):
    """After the round trips the optimiser still steps the module's own parameters (one tensor,
    not two copies), and the run then trains on in this process as if it had never left."""
    shipped, here = RUNS["gan"](), RUNS["gan"]()
    train_in_workers(pool, shipped, 50)
    train_here(here, 50)
    assert shipped.opt_g.param_groups[0]["params"][0] is next(shipped.G.parameters())
    assert shipped.gen.get_state().equal(here.gen.get_state())
    train_here(shipped, 10)
    train_here(here, 10)
    assert shipped.history == here.history
    assert all(torch.equal(a, b) for a, b in zip(shipped.D.parameters(), here.D.parameters()))


def test_divergence_in_a_worker_raises_here_with_the_last_good_weights(pool):
    shipped = gan.GanRun(gan.GanSettings(loss="lsgan", optimizer="sgd", lr_g=1.0, lr_d=1.0), make_dataset("ring"))
    here = copy.deepcopy(shipped)
    with pytest.raises(Diverged) as in_worker:
        train_in_workers(pool, shipped, 50)
    with pytest.raises(Diverged) as in_server:
        train_here(here, 50)
    assert (in_worker.value.iteration, in_worker.value.what) == (in_server.value.iteration, in_server.value.what)
    assert shipped.iteration == here.iteration == in_server.value.iteration - 1
    assert all(torch.equal(a, b) for a, b in zip(shipped.D.parameters(), here.D.parameters()))



class Recorder:
    """A connection that keeps the bytes sent through it."""

    def __init__(self):
        self.sent = 0

    def send_bytes(self, data) -> None:
        self.sent += len(data)


def bytes_sent_to_a_worker(run) -> int:
    recorder = Recorder()
    trainers._send(recorder, (run, 0.05), trainers._Trip().depart)
    return recorder.sent


def test_a_runs_curves_stay_here_and_a_trip_carries_only_what_its_slice_appended(pool):
    """An old run (50,000 values in each of its six curves) costs a trip what a new one costs,
    and comes back with its curves whole: the old values and then the slice's, as trained here."""
    young, old = RUNS["gan"](), RUNS["gan"]()
    for curve in old.history.values():
        curve.extend([0.5] * 50_000)
    assert bytes_sent_to_a_worker(old) - bytes_sent_to_a_worker(young) < 100
    here = copy.deepcopy(old)
    curves = dict(old.history)
    train_in_workers(pool, old, 3, slice_s=0.0)
    train_here(here, 3)
    assert all(old.history[name] is curve for name, curve in curves.items())   # the views' references hold
    assert all(len(curve) == 50_003 for curve in old.history.values())
    assert pickle.dumps(old.history) == pickle.dumps(here.history)   # NaN == NaN


@dataclasses.dataclass
class Unpicklable:
    iteration: int = 0
    target: int = 0
    rule: object = lambda: None   # a lambda: pickle cannot carry it

    def train_step(self):
        self.iteration += 1


def test_a_run_that_cannot_travel_trains_in_the_server_and_is_logged_once(pool, caplog):
    run = Unpicklable()
    run.target = 3
    with caplog.at_level(logging.WARNING, logger="components.trainers"):
        for _ in range(2):
            with pytest.raises(trainers.Unavailable):
                pool.train(run, 0.01)
    assert run.iteration == 0
    assert sum("Unpicklable cannot train in a worker" in r.getMessage() for r in caplog.records) == 1
    # live's slice falls back to this thread
    live._train_slice(live.LiveSession(), run, stop=lambda: False)
    assert run.iteration == 3


def test_a_worker_that_dies_loses_nothing_and_is_replaced():
    one = trainers.Pool(1)
    try:
        run = RUNS["gan"]()
        train_in_workers(one, run, 5)
        one._workers[0].process.kill()
        one._workers[0].process.wait()
        before = copy.deepcopy(run)
        run.target = run.iteration + 5
        with pytest.raises(trainers.Unavailable):
            one.train(run, 0.01)
        assert run.iteration == 5 and run.history == before.history
        train_in_workers(one, run, 5)   # the replacement trains
        assert run.iteration == 10
    finally:
        one.close()
