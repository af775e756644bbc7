"""Diffusion lab rows.

1. 16 digits × 50 DDIM steps with classifier-free guidance, every step's x_t and x̂0 recorded,
   against the same loop recording nothing (bars: ≤ 1.5 s, ratio ≤ 1.15).
2. The Denoise button at the app's defaults (8 digits × 50 guided DDIM steps), streamed as it runs
   (one CPU turn per live slice, a view after the first turn and then at most every 0.5 s, the
   last the whole sample's), against the same sampling and last view in one call, one turn
   (streaming overhead; bar: ratio ≤ 1.1).
3. The recorded loop on one thread against torch's default thread count: what one turn costs.
4. 2D diffusion: 3,000 training steps on one thread (what the lab does) against the same steps on
   torch's default thread count (bar for the lab: a good fit within 30 s).
"""

from __future__ import annotations

import os
import time

from benchmarks.timing import Row, interleaved_medians

IMAGES, STEPS, GUIDANCE = 16, 50, 3.0
TRAIN_STEPS = 3000


def rows(runs: int = 5) -> list[Row]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from components import live, models
    from components.settings import defaults, parse
    from components.threads import one_thread
    from demos.diffusion import core, tab, toy2d

    unet, config = models.load_ddpm("digits-ddpm")
    request = core.SampleSettings(scheduler="ddim", steps=STEPS, images=IMAGES, digit="3", guidance=GUIDANCE)

    def recorded():
        core.run(unet, config, request, record=True)

    def bare():
        core.run(unet, config, request, record=False)

    def recorded_one_thread():
        with one_thread():
            recorded()

    app = parse(core.SampleSettings, defaults(core.SampleSettings))
    views = []

    def streamed():
        views.append(sum(1 for _ in tab.denoise.__wrapped__(app, "en")))

    def one_call():
        with live.CPU.turn(), one_thread():
            start = time.perf_counter()
            final, trajectory = core.run(unet, config, app)
            tab._sample_views(app, unet, trajectory, final, time.perf_counter() - start, "en")

    recorded()
    recorded_s, bare_s = interleaved_medians(recorded, bare, runs)
    streamed()
    one_call()
    streamed_s, one_call_s = interleaved_medians(streamed, one_call, runs)
    one_thread_s, default_threads_s = interleaved_medians(recorded_one_thread, recorded, runs)

    data = toy2d.make_data("swiss_roll", 0)
    settings_2d = toy2d.Toy2DSettings(train_steps=TRAIN_STEPS)

    def train():
        run = toy2d.Toy2DRun(settings_2d, data)
        for _ in range(TRAIN_STEPS):
            run.train_step()

    def train_one_thread():
        with one_thread():
            train()

    train_runs = max(1, runs // 2)
    one_s, default_s = interleaved_medians(train_one_thread, train, train_runs)
    return [
        Row(f"diffusion: {IMAGES} digits × {STEPS} guided DDIM steps, every step recorded", recorded_s,
            "the same loop recording nothing", bare_s, "≤ 1.5 s and ratio ≤ 1.15"),
        Row(f"diffusion: the Denoise button at the defaults ({app.images} digits × {app.steps} guided steps) "
            f"streamed, {min(views)}–{max(views)} views", streamed_s,
            "the same sampling and last view in one call, one turn", one_call_s, "ratio ≤ 1.1"),
        Row("diffusion: the recorded loop on one thread (a CPU turn is one core)", one_thread_s,
            "the same loop on torch's default threads", default_threads_s, "reported"),
        Row(f"diffusion 2D: {TRAIN_STEPS} training steps on one thread (as the lab runs)", one_s,
            "the same steps on torch's default threads", default_s, "≤ 30 s; ratio reported"),
    ]
