"""The Transformer lab's tasks: character-level source → target rewrites, generated on the fly
from a ``torch.Generator``, with a held-out part of the input space that training never draws.

The held-out part is decided by the input alone: an input is held out when the CRC-32 of its
UTF-8 bytes is divisible by ``HELD_OUT_MODULUS``. A hash split (not a list of drawn examples)
keeps every length in both parts — sorting has only ten inputs of length one — and lets the
training sampler refuse held-out inputs with one integer test. No gradio here.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
import zlib
from collections.abc import Callable

import torch

from components.i18n import InputError

SPECIALS = ("<pad>", "<s>", "</s>")
PAD_ID, BOS_ID, EOS_ID = 0, 1, 2
HELD_OUT_MODULUS = 10  # one input in ten is held out

LOWERCASE = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FIRST_DATE, LAST_DATE = datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)
ZH_DIGITS = "零一二三四五六七八九"
ZH_UNITS = "十百千万"
MAX_ZH_NUMBER = 99_999
MAX_ADDEND = 999


@dataclasses.dataclass(frozen=True)
class Vocab:
    """<pad>, <s>, </s>, then one token per character."""
    chars: str

    def __post_init__(self):
        object.__setattr__(self, "_index", {c: i + len(SPECIALS) for i, c in enumerate(self.chars)})

    @property
    def tokens(self) -> tuple[str, ...]:
        return SPECIALS + tuple(self.chars)

    def __len__(self) -> int:
        return len(SPECIALS) + len(self.chars)

    def encode(self, text: str) -> list[int]:
        return [self._index[c] for c in text]

    def decode(self, ids) -> str:
        """The characters of ``ids`` up to the first </s>, specials dropped."""
        out = []
        for i in ids:
            if i == EOS_ID:
                break
            if i >= len(SPECIALS):
                out.append(self.chars[i - len(SPECIALS)])
        return "".join(out)


# ---------------------------------------------------------------------------------------------
# the generators: n source strings each, from the generator's stream


def _uniform_ints(n: int, low: torch.Tensor | int, high: torch.Tensor | int, gen: torch.Generator) -> torch.Tensor:
    """(n,) integers uniform in [low, high] (bounds inclusive, per element)."""
    return (low + (torch.rand(n, generator=gen, dtype=torch.float64) * (high - low + 1)).long()).clamp(max=high)


def _numbers_of_random_length(n: int, max_digits: int, gen: torch.Generator) -> list[int]:
    """Digit count uniform in 1..max_digits, then the value uniform among numbers of that many
    digits (0-9 for one digit): short numbers are as common as long ones."""
    digits = _uniform_ints(n, 1, max_digits, gen)
    low = torch.where(digits == 1, 0, 10 ** (digits - 1))
    return _uniform_ints(n, low, 10 ** digits - 1, gen).tolist()


def _strings(alphabet: str, max_len: int, n: int, gen: torch.Generator) -> list[str]:
    lengths = _uniform_ints(n, 1, max_len, gen).tolist()
    chars = torch.randint(len(alphabet), (n, max_len), generator=gen).tolist()
    return ["".join(alphabet[c] for c in row[:length]) for row, length in zip(chars, lengths)]


def _sample_reverse(n, gen):
    return _strings(LOWERCASE, 10, n, gen)


def _sample_sort(n, gen):
    return _strings(DIGITS, 10, n, gen)


def _sample_add(n, gen):
    numbers = _numbers_of_random_length(2 * n, 3, gen)
    return [f"{x}+{y}" for x, y in zip(numbers[:n], numbers[n:])]


def format_date(day: datetime.date) -> str:
    """"23 Nov 2026": the day without a leading zero, the English month abbreviation."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _sample_date(n, gen):
    ordinals = _uniform_ints(n, FIRST_DATE.toordinal(), LAST_DATE.toordinal(), gen).tolist()
    return [format_date(datetime.date.fromordinal(o)) for o in ordinals]


def _below_ten_thousand(x: int, whole: bool) -> str:
    """1 <= x <= 9999 in Chinese numerals: one 零 for each run of zeros between non-zero digits,
    none at the end; 10-19 read 十, 十一, ... when they are the whole number (一十 inside one)."""
    if whole and 10 <= x <= 19:
        return "十" + (ZH_DIGITS[x % 10] if x % 10 else "")
    out, zero_pending, started = [], False, False
    for digit, unit in zip((x // 1000, x // 100 % 10, x // 10 % 10, x % 10), ("千", "百", "十", "")):
        if digit == 0:
            zero_pending = started
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(ZH_DIGITS[digit] + unit)
        started = True
    return "".join(out)


def to_chinese(number: int) -> str:
    """0 <= number <= 99999 in Chinese numerals: 2026 -> 二千零二十六, 10010 -> 一万零一十."""
    if number == 0:
        return "零"
    high, low = divmod(number, 10_000)
    if not high:
        return _below_ten_thousand(low, whole=True)
    text = _below_ten_thousand(high, whole=True) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _below_ten_thousand(low, whole=False)
    return text


def parse_chinese(text: str) -> int:
    """The value of Chinese numerals: a digit multiplies the unit after it (十 alone counts one
    ten), 万 multiplies everything before it. Lenient; ``check_zh`` insists on the canonical form."""
    total = section = digit = 0
    for ch in text:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS.index(ch)
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        else:
            section += (digit or 1) * 10 ** ("十百千".index(ch) + 1)
            digit = 0
    return total + section + digit


def _sample_zh(n, gen):
    return [to_chinese(v) for v in _numbers_of_random_length(n, 5, gen)]


# ---------------------------------------------------------------------------------------------
# the rules, and what a typed input must look like beyond its characters


def _add(source: str) -> str:
    a, b = source.split("+")
    return str(int(a) + int(b))


def _date(source: str) -> str:
    day, month, year = source.split(" ")
    return datetime.date(int(year), MONTHS.index(month) + 1, int(day)).isoformat()


def _check_nothing(source: str) -> None:
    return None


def _check_add(source: str) -> None:
    if not re.fullmatch(r"\d{1,3}\+\d{1,3}", source):
        raise InputError("tr_err_format_add", value=source, high=MAX_ADDEND)


def _check_date(source: str) -> None:
    match = re.fullmatch(r"(\d{1,2}) ([A-Za-z]{3}) (\d{4})", source)
    if not match or match.group(2) not in MONTHS:
        raise InputError("tr_err_format_date", value=source, months=" ".join(MONTHS))
    day, month, year = int(match.group(1)), MONTHS.index(match.group(2)) + 1, int(match.group(3))
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise InputError("tr_err_no_such_date", value=source) from None
    if not FIRST_DATE <= date <= LAST_DATE:
        raise InputError("tr_err_date_range", value=source, low=FIRST_DATE.year, high=LAST_DATE.year)


def _check_zh(source: str) -> None:
    value = parse_chinese(source)
    if value > MAX_ZH_NUMBER or to_chinese(value) != source:
        raise InputError("tr_err_format_zh", value=source, high=MAX_ZH_NUMBER)


@dataclasses.dataclass(frozen=True)
class Task:
    name: str
    source_chars: str
    target_chars: str
    max_source_len: int                  # the longest input the generator makes (and a learner may type)
    max_target_len: int                  # the longest answer, without </s>
    example: str                         # a typical input, for the textbox
    sample: Callable[[int, torch.Generator], list[str]]  # n inputs from the whole input space
    answer: Callable[[str], str]         # the rule: the right target for an input
    check: Callable[[str], None]         # raises InputError when a typed input is not well formed

    def __reduce__(self):
        """Pickled by name (a run crosses to a training worker process, ``components.trainers``):
        a task is one of ``TASKS``, and its rules are lambdas, which pickle cannot carry."""
        return _task_named, (self.name,)

    @functools.cached_property
    def source_vocab(self) -> Vocab:
        return Vocab(self.source_chars)

    @functools.cached_property
    def target_vocab(self) -> Vocab:
        return Vocab(self.target_chars)


TASKS = {task.name: task for task in (
    Task("reverse", LOWERCASE, LOWERCASE, 10, 10, "transforms", _sample_reverse, lambda s: s[::-1], _check_nothing),
    Task("sort", DIGITS, DIGITS, 10, 10, "3141592653", _sample_sort, lambda s: "".join(sorted(s)), _check_nothing),
    Task("add", DIGITS + "+", DIGITS, 7, 4, "358+64", _sample_add, _add, _check_add),
    Task("date", DIGITS + " " + "".join(sorted(set("".join(MONTHS)))), DIGITS + "-", 11, 10, "23 Nov 2026",
         _sample_date, _date, _check_date),
    Task("zh_numerals", ZH_DIGITS + ZH_UNITS, DIGITS, 9, 5, "二千零二十六", _sample_zh, lambda s: str(parse_chinese(s)),
         _check_zh),
)}
NAMES = tuple(TASKS)


def _task_named(name: str) -> Task:
    return TASKS[name]


def is_held_out(source: str) -> bool:
    return zlib.crc32(source.encode("utf-8")) % HELD_OUT_MODULUS == 0


def sample_sources(task: Task, n: int, gen: torch.Generator, held_out: bool = False) -> list[str]:
    """n inputs from the training part of the input space (or the held-out part), drawn from ``gen``."""
    sources: list[str] = []
    # a draw lands in the held-out part with probability ~1/10: ask for enough to rarely loop
    per_draw = n * HELD_OUT_MODULUS + 16 if held_out else n + n // 4 + 16
    while len(sources) < n:
        sources += [s for s in task.sample(per_draw, gen) if is_held_out(s) == held_out]
    return sources[:n]


def held_out_set(task: Task, size: int, gen: torch.Generator) -> list[str]:
    """Up to ``size`` distinct held-out inputs (fewer where the held-out part is smaller)."""
    distinct = dict.fromkeys(sample_sources(task, size * 2, gen, held_out=True))
    return list(distinct)[:size]


def validated_source(task: Task, text) -> str:
    """A typed input, stripped, checked: not empty, not too long, only the task's characters
    (naming those that are not), well formed (a real date, a canonical numeral, ...)."""
    source = str(text if text is not None else "").strip()
    if not source:
        raise InputError("tr_err_empty")
    if len(source) > task.max_source_len:
        raise InputError("tr_err_too_long", length=len(source), high=task.max_source_len)
    unknown = "".join(dict.fromkeys(c for c in source if c not in task.source_chars))
    if unknown:
        raise InputError("tr_err_chars", chars=" ".join(repr(c) for c in unknown[:12]), allowed=task.source_chars)
    task.check(source)
    return source


def encode_pairs(task: Task, sources: list[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(src (B, S), decoder input (B, T+1) = <s> target, decoder output (B, T+1) = target </s>),
    padded with <pad> to the longest in the batch."""
    src_vocab, tgt_vocab = task.source_vocab, task.target_vocab
    src_ids = [src_vocab.encode(s) for s in sources]
    tgt_ids = [tgt_vocab.encode(task.answer(s)) for s in sources]
    S, T = max(map(len, src_ids)), max(map(len, tgt_ids)) + 1
    src = torch.tensor([ids + [PAD_ID] * (S - len(ids)) for ids in src_ids])
    tgt_in = torch.tensor([[BOS_ID] + ids + [PAD_ID] * (T - 1 - len(ids)) for ids in tgt_ids])
    tgt_out = torch.tensor([ids + [EOS_ID] + [PAD_ID] * (T - 1 - len(ids)) for ids in tgt_ids])
    return src, tgt_in, tgt_out
