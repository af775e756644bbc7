"""Readable token labels, shared by the labs that show tokens.

Byte-level BPE can split one character (a Chinese character, an emoji) into several tokens;
decoding such a token alone gives "�". Labels come instead from the characters each token covers
(the tokenizer's offset mapping); tokens that share one character are labelled "你 1/3", "你 2/3"...
"""

from __future__ import annotations

from collections import Counter


def readable(piece: str) -> str:
    """Spaces and line breaks made visible, so a token label is never blank."""
    return piece.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


def labels_from_offsets(text: str, offsets: list[tuple[int, int]]) -> list[str]:
    total = Counter(offsets)  # tokens sharing each character span
    seen: Counter = Counter()
    labels = []
    for span in offsets:
        seen[span] += 1
        piece = readable(text[span[0]:span[1]])
        labels.append(piece if total[span] == 1 else f"{piece} {seen[span]}/{total[span]}")
    return labels


def labels_for_ids(tokenizer, ids: list[int]) -> list[str]:
    """Labels for any id sequence (e.g. generated): decode, re-encode with offsets, and use them
    when the re-encoding gives the same ids; otherwise each token on its own (``token_piece``)."""
    text = tokenizer.decode(ids)
    enc = tokenizer(text, return_offsets_mapping=True)
    if enc["input_ids"] == list(ids):
        return labels_from_offsets(text, [tuple(o) for o in enc["offset_mapping"]])
    return [token_piece(tokenizer, i) for i in ids]


def token_piece(tokenizer, token_id: int) -> str:
    """One token on its own: its text, or its bytes as hex when it is part of a character."""
    text = tokenizer.decode([token_id])
    if "\ufffd" not in text:
        return readable(text)
    raw = tokenizer.convert_ids_to_tokens(token_id)
    byte_of = {v: k for k, v in _bytes_to_unicode().items()}
    if all(ch in byte_of for ch in raw):
        return "⟨" + bytes(byte_of[ch] for ch in raw).hex(" ") + "⟩"
    return raw


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte-level alphabet: byte value -> the printable character that stands for it."""
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    return bytes_to_unicode()
