"""Decoding lab row: 6 strategies × 3 samples × 48 new tokens on the bundled model, everything the
Compare button computes (outputs, per-step distributions, metrics, beam tree), against the same
``model.generate`` calls made directly in the same run."""

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
    from demos.decoding import tab

    model, tokenizer = models.load_causal_lm("shakespeare-gpt")
    values = [tab.SLIDERS[field][4] for _, field in tab.PARAM_ORDER]
    strategies, _ = tab.strategies_from(KINDS, values)
    ids = torch.tensor([tokenizer(PROMPT)["input_ids"]])
    mask = torch.ones_like(ids)
    eos = tokenizer.eos_token_id

    def ours():
        tab.run_comparison("shakespeare-gpt", PROMPT, NEW_TOKENS, 0, SAMPLES, KINDS, values, "en")

    def direct():
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
                "the same model.generate calls", direct_s, "≤ 3 s and ratio ≤ 1.25")]
