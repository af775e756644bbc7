"""Decoding lab row: 6 strategies × 3 samples × 48 new tokens on the bundled model, everything the
Compare button computes (outputs, per-step distributions, metrics, beam tree), against the same
``model.generate`` calls made directly in the same run, on one thread as the lab runs them."""

from __future__ import annotations

import os

from benchmarks.timing import Row, interleaved_medians

KINDS = ["greedy", "beam", "sampling", "top_k", "top_p", "min_p"]
PROMPT = "ROMEO.\nWhat light through yonder window breaks?"
NEW_TOKENS, SAMPLES = 48, 3


def rows(runs: int = 5) -> list[Row]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from components import models
    from components.threads import one_thread
    from demos.decoding import core, tab

    model, tokenizer = models.load_causal_lm("shakespeare-gpt")
    settings = core.DecodingSettings(prompt=PROMPT, new_tokens=NEW_TOKENS, samples=SAMPLES, seed=0)
    strategies, _ = core.strategies(settings, KINDS)
    ids = torch.tensor([tokenizer(PROMPT)["input_ids"]])
    mask = torch.ones_like(ids)
    eos = tokenizer.eos_token_id

    def ours():
        tab.run_comparison(settings, "shakespeare-gpt", KINDS, "en")

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

    ours()
    direct()
    ours_s, direct_s = interleaved_medians(ours, direct, runs)
    return [Row("decoding: 6 strategies × 3 samples × 48 tokens, every view", ours_s,
                "the same model.generate calls, one thread", direct_s, "≤ 3 s and ratio ≤ 1.25")]
