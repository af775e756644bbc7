"""Shareable links: the query checked against a lab's settings, and a link opened in the browser."""

from __future__ import annotations

import dataclasses
import re

import pytest

from components import links
from components.settings import setting
from tests.conftest import screenshot


@dataclasses.dataclass(frozen=True)
class Steps:
    steps: int = setting(50, label="seed", low=1, high=200)
    mode: str = setting("a", label="seed", choices=("a", "b"))
    fast: bool = setting(False, label="seed")

    def check(self):
        if self.mode == "b" and self.steps > 100:
            raise links.InputError("err_out_of_range", name="seed", low=1, high=100, value=self.steps)


LINKED = {"toy": (Steps,)}


def test_a_good_link_sets_the_lab_values_hidden_controls_and_language():
    state = links.parse_query({"lab": "toy", "steps": "20", "mode": "b", "fast": "true", "hide": "mode",
                               "lang": "zh"}, LINKED)
    assert state == links.LinkState("toy", {"steps": 20, "mode": "b", "fast": True}, ("mode",), "zh")
    assert links.notice(state, "en") == ""


@pytest.mark.parametrize("query, kept, problem", [
    ({"lab": "nope"}, {}, "unknown lab"),
    ({"lab": "toy", "steps": "NaN"}, {}, "'steps=NaN' was left out"),
    ({"lab": "toy", "steps": "1e9", "mode": "b"}, {"mode": "b"}, "'steps=1e9' was left out"),
    ({"lab": "toy", "steps": "2.5"}, {}, "whole number"),
    ({"lab": "toy", "mode": "<script>alert(1)</script>"}, {}, "&lt;script&gt;"),
    ({"lab": "toy", "mode": "javascript:alert(1)"}, {}, "was left out"),
    ({"lab": "toy", "colour": "red"}, {}, "unknown setting 'colour'"),
    ({"lab": "toy", "steps": "150", "mode": "b"}, {}, "do not go together"),
    ({"lab": "toy", "lang": "fr"}, {}, "unknown language"),
    ({"steps": "3"}, {}, "no lab"),
    ({"lab": "toy", "steps": "9" * 10_000}, {}, "…"),
])
def test_bad_links_fall_back_to_defaults_with_a_notice(query, kept, problem):
    state = links.parse_query(query, LINKED)
    assert state.values == kept
    text = links.notice(state, "en")
    assert problem in text and "<script>" not in text and len(text) < 600


def test_a_link_carries_only_what_differs_from_the_defaults():
    assert links.query_for("toy", {"steps": 50, "mode": "b", "fast": True}, (Steps,)) == "lab=toy&mode=b&fast=true"
    back = links.parse_query(dict(pair.split("=") for pair in "lab=toy&mode=b&fast=true".split("&")), LINKED)
    assert back.values == {"mode": "b", "fast": True}


def test_a_link_opens_the_gan_lab_in_its_state_and_runs_it(page_factory):
    page = page_factory("en-US", "?lab=gan&seed=3&iterations=40&lr_g=0.004&hide=batch&lang=zh")
    page.wait_for_selector("#gan_status >> text=第 40 次迭代", timeout=120_000)   # started by the link, in Chinese
    assert page.locator("#gan_seed input").input_value() == "3"
    assert page.locator("#gan_lr_g input").input_value() == "0.004"
    assert not page.locator("#gan_batch").is_visible()
    page.wait_for_selector("#gan_start >> text=开始", timeout=30_000)   # the labels follow lang= too
    screenshot(page, "link_gan_zh")


def test_a_bad_link_shows_a_notice_and_the_defaults(page_factory):
    page = page_factory("en-US", "?lab=gan&seed=-4&loss=%3Cscript%3Ealert(1)%3C/script%3E&colour=red")
    notice = page.locator("#link_notice")
    notice.wait_for(timeout=60_000)
    text = notice.text_content()
    assert "could not be followed" in text and "colour" in text and "<script>" in text
    assert page.locator("#link_notice script").count() == 0
    assert page.locator("#gan_seed input").input_value() == "0"


def test_copy_link_writes_the_current_settings(page_factory):
    page = page_factory("en-US")
    page.get_by_role("tab", name="GAN", exact=True).click()
    seed = page.locator("#gan_seed input")
    seed.fill("7")
    seed.press("Enter")
    page.locator("#gan_copy_link").click()
    shown = page.locator("#gan_link textarea, #gan_link input").first
    shown.wait_for(timeout=30_000)
    page.wait_for_function("() => (document.querySelector('#gan_link textarea, #gan_link input') || {}).value",
                           timeout=30_000)
    assert re.search(r"\?lab=gan&seed=7$", shown.input_value())
