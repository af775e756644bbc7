"""The Transformer lab in headless Chromium, each flow opened by a shareable link (which sets the
controls and presses the experiment's Start): reverse trained until cross-attention draws the
anti-diagonal, on a projector (1280×720); the longest date on a phone (390×844); the induction
run on a phone in Chinese. Each checks geometry (the main figures' top edges on the first screen,
plot widths after switching experiments, tick labels apart, no sideways scroll), not only a
screenshot. Screenshots go to artifacts/."""

import dataclasses

import numpy as np
import pytest

from tests.browser import box, no_sideways_scroll, overlapping_labels, texts_outside
from tests.conftest import screenshot


TIMEOUT_MS = 300_000   # training shares two busy cores with the browser here


@pytest.fixture(autouse=True)
def two_frames_a_second(monkeypatch):
    """The server (in this process) streams 2 updates a second, as in the GAN's and VAE's tests:
    headless Chromium on two shared cores falls behind at 10."""
    from components import live

    monkeypatch.setattr(live, "LIMITS", dataclasses.replace(live.LIMITS, stream_interval_s=0.5))


def heatmaps(page, element_id: str) -> list[np.ndarray]:
    z = page.evaluate("id => document.querySelector('#' + id + ' .js-plotly-plot').data"
                      ".filter(t => t.type === 'heatmap').map(t => t.z)", element_id)
    return [np.array(m, dtype=float) for m in z]


def overlapping_ticks(page, element_id: str) -> list:
    """Pairs of tick labels of one axis of the plot whose boxes overlap (a 1 px tolerance)."""
    return page.evaluate("""id => {
        const plot = document.getElementById(id);
        const found = [];
        for (const kind of ['xtick', 'ytick']) {
            const byAxis = {};
            for (const t of plot.querySelectorAll('g.' + kind + ' text')) {
                const axis = t.closest('g[class$="tick"]')?.parentNode?.getAttribute('class') || kind;
                const r = t.getBoundingClientRect();
                if (r.width === 0 || !t.textContent) continue;
                (byAxis[axis] = byAxis[axis] || []).push({text: t.textContent, r});
            }
            for (const labels of Object.values(byAxis)) {
                for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
                    const a = labels[i].r, b = labels[j].r;
                    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
                        found.push([labels[i].text, labels[j].text]);
                }
            }
        }
        return found;
    }""", element_id)


def test_reverse_learns_the_anti_diagonal_on_a_projector(page_factory):
    page = page_factory("en-US", "?lab=transformer&steps=300", viewport=(1280, 720))
    page.wait_for_selector("#transformer_status >> text=Iteration 300", timeout=TIMEOUT_MS)
    assert page.locator("#transformer_steps input").first.input_value() == "300"   # the link set it
    # the curves and the attention start on the first screen, and most of each is on it
    for plot in ("transformer_curves", "transformer_attention"):
        top = box(page, plot)["y"]
        assert top < 720 - 300, (plot, top)
    # cross-attention of the last layer, every head: for "transforms", output position t looks at
    # source position 9 - t (the mean of the heads' rows peaks on the anti-diagonal)
    maps = heatmaps(page, "transformer_attention")
    assert len(maps) == 4
    mean = np.nanmean(maps, axis=0)[:10, :10]                  # (queries <s> y1..y9, keys t r a n s f o r m s)
    assert (mean.argmax(axis=1) == 9 - np.arange(10)).sum() >= 8
    assert "smrofsnart" in page.locator("#transformer_forcing").text_content()
    assert overlapping_ticks(page, "transformer_attention") == []
    assert overlapping_labels(page, "transformer_curves") == []   # across axes too
    screenshot(page, "transformer_projector")

    # another input, decoded by the trained model
    text = page.locator("#transformer_text textarea, #transformer_text input").first
    text.fill("attention")
    page.locator("#transformer_decode").click()
    page.wait_for_function("() => document.querySelector('#transformer_decoding .infolayer').textContent"
                           ".includes('“attention”')", timeout=120_000)

    # the plots keep their width after the other experiment was shown
    page.locator("#transformer_experiment").get_by_text("induction heads").click()
    page.wait_for_selector("#transformer_ind_start", state="visible", timeout=30_000)
    page.locator("#transformer_experiment").get_by_text("encoder–decoder on a task").click()
    page.wait_for_selector("#transformer_start", state="visible", timeout=30_000)
    page.wait_for_timeout(1000)
    for plot in ("transformer_curves", "transformer_attention", "transformer_decoding"):
        shown = page.evaluate("id => [document.querySelector('#' + id + ' .js-plotly-plot')"
                              ".getBoundingClientRect().width, document.getElementById(id)"
                              ".getBoundingClientRect().width]", plot)
        assert shown[0] >= 0.9 * shown[1], (plot, shown)


def test_the_longest_date_on_a_phone(page_factory):
    page = page_factory("en-US", "?lab=transformer&task=date&text=30+May+2026&steps=100", viewport=(390, 844))
    page.wait_for_selector("#transformer_status >> text=Iteration 100", timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)
    assert no_sideways_scroll(page)
    for plot in ("transformer_curves", "transformer_attention", "transformer_decoding", "transformer_forcing",
                 "transformer_schedule"):
        shown = box(page, plot)
        assert shown["x"] >= 0 and shown["x"] + shown["width"] <= 390, plot
        assert overlapping_ticks(page, plot) == [], plot
    assert len(heatmaps(page, "transformer_attention")) == 4
    # titles and axis titles inside each figure; no tick labels meet across axes (a y "0" and an
    # x "0" once overlapped in the loss panel's corner)
    for plot in ("transformer_curves", "transformer_decoding", "transformer_forcing"):
        assert texts_outside(page, plot) == [], plot
    assert overlapping_labels(page, "transformer_curves") == []
    screenshot(page, "transformer_phone")


def test_induction_heads_on_a_phone_in_chinese(page_factory):
    page = page_factory("zh-CN", "?lab=transformer&experiment=induction&ind_steps=100&lang=zh", viewport=(390, 844))
    page.wait_for_selector("#transformer_ind_status >> text=第 100 次迭代", timeout=TIMEOUT_MS)
    page.wait_for_timeout(1000)
    assert "最高归纳得分" in page.locator("#transformer_ind_status").text_content()
    title = page.evaluate("() => document.querySelector('#transformer_ind_curves .gtitle').textContent")
    assert "归纳头实验" in title
    assert no_sideways_scroll(page)
    for plot in ("transformer_ind_curves", "transformer_ind_example"):
        shown = box(page, plot)
        assert shown["x"] >= 0 and shown["x"] + shown["width"] <= 390, plot
        assert overlapping_ticks(page, plot) == [], plot
    assert [m.shape for m in heatmaps(page, "transformer_ind_example")] == [(24, 24), (24, 24)]
    screenshot(page, "transformer_induction_zh")
