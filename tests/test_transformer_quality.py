"""Issue 17's quality bars, headless, with the default settings and seed 0, in training steps
(not seconds: a timed test fails on a busy machine). The bar is the one the lab promises a learner
who presses Start: a held-out evaluation (every 50 steps) reaches 95 % exact answers within a
step budget that takes well under the 60 s of issue 17 on one core (800 steps ≈ 25 CPU-s,
measured). Where a run first meets it depends on the machine: the exact-answer curve of these
small post-norm models swings by ±15 points between evaluations, and CPUs that round sums
differently take different paths (reverse first met it at step 450 on one machine and 300 on
another; sort at 400 and 650); ``demos/transformer/bench.py`` measures the seconds."""

import numpy as np
import pytest

from demos.transformer import core, induction

BUDGET_STEPS = {"reverse": 800, "sort": 800, "date": 400}
INDUCTION_STEPS = 575


def first_meeting(run, budget: int, bar: float = 0.95) -> int | None:
    """Train until a held-out evaluation reaches ``bar`` exact answers; its step, or None."""
    while run.iteration < budget:
        core.train(run, core.LIMITS.eval_every)
        if run.evaluations[-1].exact_accuracy >= bar:
            return run.iteration
    return None


@pytest.mark.parametrize("task", list(BUDGET_STEPS))
def test_default_settings_answer_95_percent_of_held_out_inputs_exactly(task):
    run = core.TransformerRun(core.validated(task=task))
    met_at = first_meeting(run, BUDGET_STEPS[task])
    assert met_at is not None, [(e.iteration, e.exact_accuracy) for e in run.evaluations]
    if task == "reverse":
        # output position t looks at source position n - 1 - t: some cross-attention head of the
        # last layer draws the anti-diagonal
        seen = core.inspect(run, "transforms")
        assert seen.correct
        n = len("transforms")
        rows = seen.cross_attn[-1][:, :n]                                  # (h, n queries, n keys)
        on_anti_diagonal = rows[:, np.arange(n), n - 1 - np.arange(n)].mean(-1)
        assert on_anti_diagonal.max() > 0.5


def test_an_induction_head_forms_and_the_repeat_becomes_predictable():
    """Issue 17's bar: a layer-1 head's induction score passes 0.5 and the repeated copy's loss
    falls below half of the first copy's."""
    run = induction.InductionRun(induction.INDUCTION_DEFAULTS)
    core.train(run, INDUCTION_STEPS)
    last = run.evaluations[-1]
    assert last.iteration == INDUCTION_STEPS
    assert last.induction[1].max() > 0.5
    assert last.second_half_loss < 0.5 * last.first_half_loss
    example = induction.example(run)
    assert example.induction_score == pytest.approx(last.induction[1].max())
