"""Decoding lab rows.

- 6 strategies × 3 samples × 48 new tokens on the bundled model, everything the Compare button
  computes (outputs, per-step distributions, metrics, beam tree) through the streamed handler,
  against the same ``model.generate`` calls made directly in the same run, on one thread as the
  lab runs them.
- Streaming overhead (issue 14): the app's default comparison (6 strategies × 3 samples × 32 new
  tokens) through the streamed handler (one CPU turn per strategy, a partial view after each,
  every view drawn) against the same strategies and views computed in one call, in one turn,
  alternately in the same run.
"""

from __future__ import annotations

import os

from benchmarks.timing import Row, interleaved_medians

KINDS = ["greedy", "beam", "sampling", "top_k", "top_p", "min_p"]
PROMPT = "ROMEO.\nWhat light through yonder window breaks?"
NEW_TOKENS, SAMPLES = 48, 3
MODEL = "shakespeare-gpt"


def rows(runs: int = 5) -> list[Row]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from components import live, models
    from components.settings import defaults, parse
    from components.threads import one_thread
    from demos.decoding import core, tab

    model, tokenizer = models.load_causal_lm(MODEL)
    settings = core.DecodingSettings(prompt=PROMPT, new_tokens=NEW_TOKENS, samples=SAMPLES, seed=0)
    strategies, _ = core.strategies(settings, KINDS)
    ids = torch.tensor([tokenizer(PROMPT)["input_ids"]])
    mask = torch.ones_like(ids)
    eos = tokenizer.eos_token_id

    def streamed(settings=settings, kinds=KINDS) -> int:
        """Every view of the streamed comparison; answers how many it yielded."""
        return sum(1 for _ in tab.decode.__wrapped__(settings, MODEL, kinds, "en"))

    def direct():
        with one_thread():
            for s in strategies:
                with torch.random.fork_rng():
                    torch.manual_seed(0)
                    if s.kind == "greedy":
                        kwargs = {"do_sample": False}
                    elif s.kind == "beam":
                        kwargs = {"do_sample": False, "num_beams": s.num_beams, "length_penalty": s.length_penalty}
                    else:
                        kwargs = s.generate_kwargs() | {"num_return_sequences": SAMPLES}
                    model.generate(ids, attention_mask=mask, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS,
                                   pad_token_id=eos, **kwargs)

    # the app's defaults, streamed and in one call
    app = parse(core.DecodingSettings, defaults(core.DecodingSettings))
    app_kinds = list(core.DEFAULT_KINDS)
    app_strategies, app_notes = core.strategies(app, app_kinds)
    frames = []

    def app_streamed():
        frames.append(streamed(app, app_kinds))

    def app_one_call():
        with live.CPU.turn(), one_thread():
            prompt = core.comparison_prompt(model, tokenizer, app.prompt, app.new_tokens)
            decoded = [tab.decode_strategy(model, tokenizer, prompt[0], s, app, "en") for s in app_strategies]
            result = tab.comparison_of(prompt, decoded)
            tab.final_frame(result, decoded, app_notes, app, MODEL, app_kinds, tokenizer, "en")

    streamed()
    direct()
    ours_s, direct_s = interleaved_medians(streamed, direct, runs)
    app_streamed()
    app_one_call()
    streamed_s, one_call_s = interleaved_medians(app_streamed, app_one_call, runs)
    views = f"{min(frames)}–{max(frames)}" if min(frames) < max(frames) else str(frames[0])
    return [Row("decoding: 6 strategies × 3 samples × 48 tokens, every view, streamed", ours_s,
                "the same model.generate calls, one thread", direct_s, "≤ 3 s and ratio ≤ 1.25"),
            Row(f"decoding defaults (6 strategies × 3 samples × 32 tokens) streamed, {views} views", streamed_s,
                "the same strategies and views in one call, one turn", one_call_s, "ratio ≤ 1.1")]
