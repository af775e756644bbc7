"""VAE lab figures and strings: every builder on every kind of run, in both languages; digit
canvases against the arrays they draw; digit sizes from the layout; the strings tables."""

import json
import re
import string
from pathlib import Path

import numpy as np
import pytest

from components import i18n
from components.settings import controls
from demos.vae import compression, core, figures, strings, views

LAB = Path(__file__).resolve().parents[1] / "demos" / "vae"


@pytest.fixture(scope="module", autouse=True)
def registered_strings():
    i18n.register(strings.EN, strings.ZH)


def trained(iterations=60, **values):
    run = core.VaeRun(core.validated(**values))
    core.train(run, iterations)
    return run


@pytest.fixture(scope="module")
def runs():
    return {"d2": trained(), "d1": trained(latent_dim=1), "d5": trained(latent_dim=5),
            "moons": trained(dataset="moons", likelihood="gaussian")}


def _json(fig) -> dict:
    return json.loads(fig.to_json())


def _title(fig) -> str:
    return fig["layout"]["title"]["text"]


def _has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def all_figures(run, lang):
    snap = views.snapshot(run)
    x, _ = views.held_out_row(run, 3)
    built = {
        "curves": figures.curves_figure(run, lang),
        "kl_bars": figures.kl_bars_figure(snap.latent, lang),
        "latent": figures.latent_figure(snap.latent, lang, views.reparam_view(run, x, 0)),
        "density": figures.density_figure(snap.density, lang),
        "reparam": figures.reparam_figure(views.reparam_view(run, x, 0), lang),
        "interpolation": figures.interpolation_figure(views.interpolate(run, 0, 5, 6), lang),
    }
    if run.data.is_digits:
        comp = compression.compression(run)
        built |= {"manifold": figures.manifold_figure(snap.manifold, run.settings.latent_dim, lang),
                  "samples": figures.samples_figure(views.prior_samples(run, 0), lang),
                  "compression": figures.compression_figure(comp, lang),
                  "rate_distortion": figures.rate_distortion_figure([], comp.pca_mse, run.settings.latent_dim, lang,
                                                                    comp)}
    else:
        built["plane"] = figures.plane_figure(snap.plane, lang)
    return built


@pytest.mark.parametrize("kind", ["d2", "d1", "d5", "moons"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_builds_serialises_and_is_translated(runs, kind, lang):
    for name, fig in all_figures(runs[kind], lang).items():
        data = _json(fig)
        assert data["data"], name
        title = _title(fig)
        assert "vae_" not in title, (name, title)      # every key found
        assert _has_chinese(title) == (lang == "zh"), (name, title)


def test_beta_is_in_the_curves_title(runs):
    run = trained(20, beta=2.5)
    assert "β = 2.5" in _title(figures.curves_figure(run, "en"))
    assert "β = 2.5" in _title(figures.curves_figure(run, "zh"))


def test_the_curves_show_the_recorded_terms(runs):
    run = runs["d2"]
    fig = figures.curves_figure(run, "en")
    held = [t for t in fig["data"] if t["name"] == "held-out"]
    elbo, recon, kl = (np.array(t["y"]) for t in held)
    np.testing.assert_allclose(recon, [h["recon"] for h in run.held_out])
    np.testing.assert_allclose(elbo, recon + kl)
    per_dim = [t for t in fig["data"] if t.get("yaxis") == "y4"]
    assert len(per_dim) == run.settings.latent_dim
    np.testing.assert_allclose(np.sum([t["y"] for t in per_dim], axis=0), kl, rtol=1e-5)


def test_thinning_averages_stretches():
    iterations, values = figures.thin([float(v) for v in range(1, 11)], points=3)
    assert iterations.tolist() == [4, 8, 10] and values.tolist() == [2.5, 6.5, 9.5]
    assert figures._evenly(1000, 4).tolist() == [0, 333, 666, 999]


def test_the_samples_canvas_holds_the_decoded_digits(runs):
    samples = views.prior_samples(runs["d2"], 4)
    canvas = np.array(figures.samples_figure(samples, "en")["data"][0]["z"], dtype=float)
    for i in (0, 9, 31):
        r, c = divmod(i, 8)
        tile = canvas[r * 9: r * 9 + 8, c * 9: c * 9 + 8]
        np.testing.assert_allclose(tile, samples.decoded[i].reshape(8, 8), atol=5e-4)
    assert np.isnan(canvas[8, :]).all()                 # a blank line between rows


def test_the_manifold_puts_large_z2_at_the_top(runs):
    view = views.manifold(runs["d2"], np.eye(2, dtype=np.float32), 3.0)
    canvas = np.array(figures.manifold_figure(view, 2, "en")["data"][0]["z"], dtype=float)
    top_left = view.decoded[-1, 0].reshape(8, 8)        # z = (−3, +3)
    bottom_right = view.decoded[0, -1].reshape(8, 8)    # z = (+3, −3)
    np.testing.assert_allclose(canvas[:8, :8], top_left, atol=5e-4)
    np.testing.assert_allclose(canvas[-8:, -8:], bottom_right, atol=5e-4)


def _digit_height_px(fig, cell: int = 0) -> float:
    """A digit's height on the page, from the layout: the cell's share of the plot area over
    the image's rows (the width is never the limit on a page at least 1,150 px wide)."""
    layout = fig["layout"]
    plot = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    y_key = "yaxis" if cell == 0 else f"yaxis{cell + 1}"
    low, high = layout.get(y_key, {}).get("domain", [0, 1])
    y_ref = "y" if cell == 0 else f"y{cell + 1}"
    image_rows = max(len(t["z"]) for t in fig["data"] if t["type"] == "heatmap" and t.get("yaxis", "y") == y_ref)
    return plot * (high - low) / image_rows * 8


def test_digits_shown_alone_or_in_rows_are_at_least_128_px_high(runs):
    run = runs["d2"]
    x, _ = views.held_out_row(run, 3)
    reparam = figures.reparam_figure(views.reparam_view(run, x, 0), "en")
    interp = figures.interpolation_figure(views.interpolate(run, 0, 5, 8), "en")
    comp = figures.compression_figure(compression.compression(run), "en")
    samples = figures.samples_figure(views.prior_samples(run, 0), "en")
    for fig, cells in ((reparam, (0, 2)), (interp, (0, 1)), (comp, (0, 1, 2)), (samples, (0,))):
        for cell in cells:
            assert _digit_height_px(fig, cell) >= figures.DIGIT_PX, (_title(fig), cell)


def test_the_reparameterisation_table_has_a_row_per_dimension(runs):
    run = runs["d5"]
    view = views.reparam_view(run, views.held_out_row(run, 0)[0], 2)
    table = figures.reparam_table_md(view, "en")
    assert table.count("\n| z") == 5 and f"{view.eps[4]:.3f}" in table
    assert "Normal(μ, σ).sample()" in table


def test_comparison_and_sweep_figures():
    pair = compression.PairRun(core.validated(batch=32))
    core.train(pair, 30)
    autoencoder, vae = compression.pair_sides(pair, 0)
    fig = _json(figures.comparison_figure(autoencoder, vae, "zh"))
    assert _has_chinese(fig["layout"]["title"]["text"]) and len(fig["layout"]["annotations"]) == 6
    points = list(compression.rate_distortion(core.validated(batch=32), betas=(1.0, 10.0), iterations=20))
    assert [p.beta for p in points] == [1.0, 10.0]
    rd = _json(figures.rate_distortion_figure(points, 0.05, 2, "en"))
    sweep, pca_line = rd["data"][0], rd["data"][-1]
    assert sweep["x"] == sorted(sweep["x"]) and pca_line["y"] == [0.05, 0.05]


def test_status_reports_the_latest_held_out_evaluation(runs):
    run = runs["d2"]
    held = run.held_out[-1]
    text = figures.status_md(run, "paused", "en")
    assert f"{held['recon'] + held['kl']:.1f}" in text and f"{held['knn']:.0%}" in text


def test_the_live_figures_stay_small(runs):
    """Redrawn up to ten times a second: each stays well under 100 kB of JSON."""
    run = runs["d5"]
    snap = views.snapshot(run)
    for fig in (figures.curves_figure(run, "en"), figures.latent_figure(snap.latent, "en"),
                figures.manifold_figure(snap.manifold, 5, "en"), figures.density_figure(snap.density, "en"),
                figures.kl_bars_figure(snap.latent, "en")):
        assert len(fig.to_json()) < 100_000, _title(fig)


# ---------------------------------------------------------------------------------------------
# strings


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_and_chinese_have_the_same_keys_and_placeholders():
    assert set(strings.EN) == set(strings.ZH)
    for key in strings.EN:
        assert key.startswith("vae_"), key
        if not key.endswith("_md"):
            assert _placeholders(strings.EN[key]) == _placeholders(strings.ZH[key]), key


def test_every_key_the_lab_uses_exists():
    """Every quoted "vae_…" in the lab's modules is a string key, except element ids, API names
    and the prefix of a live panel (``live_ui.buttons`` / ``wire``), which name things, not text."""
    used = set()
    names = r"""(?<!elem_id=)(?<!api_name=)(?<!buttons\()(?<!wire\()["'](vae_[a-z0-9_]+)["']"""
    for path in LAB.glob("*.py"):
        if path.name != "strings.py":
            used |= set(re.findall(names, path.read_text()))
    for name, control in controls(core.VaeSettings).items():
        used |= {control.label} | ({control.info} if control.info else set())
        if control.choice_label:
            used |= {control.choice_label.format(choice) for choice in control.choices}
    missing = {key for key in used if key not in strings.EN and key not in i18n.EN}
    assert not missing
