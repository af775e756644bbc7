"""Exports: JSON with the settings and the numbers behind the plots, curves as CSV."""

from __future__ import annotations

import csv
import dataclasses
import json
import math

import numpy as np
import torch

from components import exports


@dataclasses.dataclass(frozen=True)
class Settings:
    steps: int = 3
    name: str = "x"


def test_json_holds_settings_and_numbers_with_nan_as_null():
    path = exports.result_json("toy", Settings(), {"curve": np.array([1.0, math.nan]), "t": torch.tensor([[1, 2]]),
                                                   "nested": {"v": np.float32(0.5)}})
    document = json.loads(open(path).read())
    assert document == {"lab": "toy", "settings": {"steps": 3, "name": "x"},
                        "data": {"curve": [1.0, None], "t": [[1, 2]], "nested": {"v": 0.5}}}


def test_csv_has_one_row_per_iteration_and_one_column_per_curve():
    path = exports.curves_csv("toy", {"loss": [3.0, 2.0, 1.0], "acc": [0.1, math.nan]})
    rows = list(csv.reader(open(path)))
    assert rows == [["iteration", "loss", "acc"], ["1", "3", "0.1"], ["2", "2", ""], ["3", "1", ""]]


def test_same_content_same_file_and_old_files_are_removed(monkeypatch):
    first = exports.result_json("toy", {}, {"a": 1})
    assert exports.result_json("toy", {}, {"a": 1}) == first
    monkeypatch.setattr(exports, "MAX_AGE_S", -1)
    exports.result_json("toy", {}, {"a": 2})
    assert not (exports.EXPORT_DIR / first.split("/")[-1]).exists()
