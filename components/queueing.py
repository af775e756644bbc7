"""Who waits for whom: every event belongs to one of these groups, chosen for 2 cores.

| group   | limit | what                                              | why                                                   |
| ------- | ----- | ------------------------------------------------- | ----------------------------------------------------- |
| live    | 64    | live-training streams (Start, Resume), and the    | every learner streams at once; the CPU is shared in   |
|         |       | one-shot work that streams its progress in turns  | fair slices by ``components.live.CPU``, not by gradio  |
|         |       | (digit sampling and scheduler comparison, the     | (a 6 s call in a limit-2 group kept 13 learners       |
|         |       | decoding comparison)                              | waiting 30 s with nothing on their page)              |
| control | none  | Pause, and views redrawn from a kept result       | must answer at once, even when everything else queues |
| heavy   | 2     | other one-shot model work (analysis, a sweep, a   | one per core; each also takes a turn at ``live.CPU``   |
|         |       | text-to-image record): seconds at most            |                                                       |
| step    | 4     | Step and Reset of a live run                      | one iteration: quick, but they build models           |

The queue holds at most ``MAX_QUEUE`` waiting events in all; one more is refused with the
translated "busy" message. README's "Queue and limits" repeats this table.
"""

from __future__ import annotations

GROUPS: dict[str, int | None] = {
    "live": 64,
    "control": None,
    "heavy": 2,
    "step": 4,
}
MAX_QUEUE = 256          # 30 learners, a few events each, with room to spare
WORKER_THREADS = 160     # events running at once, all groups together: every live stream holds one
# sessions whose state the server keeps (least recently used out first): each costs ~0.5 MB of
# gradio's per-session config copy; a closed tab's state is freed at once (app.end_session)
SESSIONS_KEPT = 400


def queue(group: str) -> dict:
    """The event keyword arguments that put an event in ``group``."""
    return {"concurrency_id": group, "concurrency_limit": GROUPS[group]}
