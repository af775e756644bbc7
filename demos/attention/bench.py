"""Attention lab rows, for a 64-token text on the bundled model, against one bare forward pass
with attentions on the same tokens:
* a new selection (layer, head, query): every view that changes, from the cached forward pass;
* a new text: the forward pass plus every view of the tab."""

from __future__ import annotations

import os

from benchmarks.timing import Row, median_time

TEXT = ("ROMEO.\nBut soft, what light through yonder window breaks? It is the east, and Juliet is "
        "the sun. Arise, fair sun, and kill the envious moon, who is already sick and pale with grief "
        "that thou her maid art far more fair than she.")


def rows(runs: int = 5) -> list[Row]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from components import models
    from demos.attention import core, tab

    model, tokenizer = models.load_causal_lm("shakespeare-gpt")
    # the shortest prefix of TEXT that encodes to exactly 64 tokens
    text = next(t for t in (TEXT[:n] for n in range(len(TEXT) + 1)) if len(tokenizer(t)["input_ids"]) == 64)
    analysis = tab.analyse("shakespeare-gpt", text)
    ids = analysis.encoded.ids
    n_layer, n_head = analysis.attn.shape[:2]
    selections = [core.Selection(layer=l, head=h, query=q) for l in range(n_layer) for h in range(n_head)
                  for q in (63, 31)]
    state = {"i": 0}

    def bare_forward():
        with torch.no_grad():
            model(torch.tensor([ids]), output_attentions=True)

    def one_selection():
        selection = selections[state["i"] % len(selections)]
        state["i"] += 1
        views = tab.selection_views("shakespeare-gpt", analysis, selection, "en")
        [v.to_json() for v in views if hasattr(v, "to_json")]  # gradio serialises each figure

    def new_text():
        tab.analyse.cache_clear()
        fresh = tab.analyse("shakespeare-gpt", text)
        last = core.Selection(layer=n_layer - 1, head=n_head - 1, query=63)
        views = (*tab.selection_views("shakespeare-gpt", fresh, last, "en"),
                 *tab.text_views("shakespeare-gpt", fresh, "en"), tab.positions("shakespeare-gpt", "en"))
        [v.to_json() for v in views if hasattr(v, "to_json")]

    bare_s = median_time(bare_forward, runs)
    selection_s = median_time(one_selection, runs)
    text_s = median_time(new_text, runs)
    return [
        Row("attention: every view of one selection (64 tokens)", selection_s, "one forward pass with attentions",
            bare_s, "≤ 300 ms and ratio ≤ 3"),
        Row("attention: new text, forward + every view (64 tokens)", text_s, "one forward pass with attentions",
            bare_s, "reported"),
    ]
