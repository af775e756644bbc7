"""Screenshots of the labs: the README's, and a set for a person to look over.

    python scripts/screenshots.py                  # docs/screenshot-<lab>.png, 1280×720, English
    python scripts/screenshots.py --review DIR     # every lab and sub-view, 1280×720 and 390×844,
                                                   # English and Chinese, full page, into DIR, and
                                                   # DIR/checks.txt: what to look at in each
    python scripts/screenshots.py gan vae          # only these labs (either mode)

Run by hand, not by the tests. It serves the app offline (HF_HUB_OFFLINE=1) on a free local port
and drives the system Chromium (/usr/bin/chromium) with Playwright, one page at a time. Each lab
opens through its shareable link (README, "Shareable links"), which sets the controls and presses
the lab's main button; a training lab's link trains a modest number of iterations. A picture is
taken once the result is drawn and the page has nothing left in progress.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

CHROMIUM = "/usr/bin/chromium"
README_SIZE, SIZES = (1280, 720), ((1280, 720), (390, 844))
MAX_BYTES = 300_000                       # a README picture above this is reduced to 256 colours
DONE = "reached the iteration target|已达到迭代目标"   # a live run at its target (components/i18n.py)


def drawn(plot_id: str) -> str:
    """JS: the plot has data."""
    return f"document.querySelector('#{plot_id} .js-plotly-plot')?.data?.length > 0"


def says(element_id: str, pattern: str) -> str:
    """JS: the element's text matches the regular expression."""
    return f"new RegExp({json.dumps(pattern)}).test(document.getElementById('{element_id}')?.textContent ?? '')"


@dataclasses.dataclass(frozen=True)
class View:
    name: str
    wait: str                             # JS condition: the view's result is drawn
    tab: int | None = None                # the sub-tab (index among the lab's sub-tabs) to show first
    press: tuple[str, ...] = ()           # buttons (by id) pressed in turn
    between: str = ""                     # JS condition before each later press (default: idle)
    link: str | None = None               # opens the page afresh at this link first
    idle: bool = True                     # also wait until nothing is in progress


@dataclasses.dataclass(frozen=True)
class Lab:
    link: str                             # the query after ?lab=<key>&
    tabs: str | None                      # an element in (or the id of) the lab's sub-tabs
    views: tuple[View, ...]               # the first is the README's
    main: str                             # the id of the first view's main figure


def tabs_of(names: str, tab0_wait: str, **special: View) -> tuple[View, ...]:
    """One view per sub-tab, in order; ``special`` replaces a plain view by name."""
    return tuple(special.get(name, View(name, "true", tab=i)) if i else View(name, tab0_wait)
                 for i, name in enumerate(names.split()))


LABS = {
    "attention": Lab("layer=4&head=0", "#attention_views", tabs_of(   # a previous-token head
        "head model census token aggregates arithmetic toy positions generation explain",
        drawn("attention_head_plot"),
        toy=View("toy", drawn("attention_toy_plot"), tab=6),
        generation=View("generation", drawn("attention_generation_plot"), tab=8, press=("attention_generate",))),
        main="attention_head_plot"),
    "decoding": Lab("strategies=greedy,beam,top_p&new_tokens=24", "#decoding_views", tabs_of(
        "outputs distribution beam metrics sweep explain", says("decoding_outputs", r"\S"),
        sweep=View("sweep", drawn("decoding_sweep_plot"), tab=4, press=("decoding_sweep_run",))),
        main="decoding_outputs"),
    "diffusion": Lab("scheduler=dpmpp&steps=20&seed=3&digit=7", "#diffusion_views", (
        View("reverse", says("diffusion_caption", r"20\D+20")),
        View("forward", drawn("diffusion_strip"), tab=1),
        View("compare", drawn("diffusion_compare_plot"), tab=2, press=("diffusion_compare",)),
        # paused after 500 of its 3,000 steps (~300 a second): the loss and status come at once (the
        # "quick paused view"), the particles sampled from the paused model a moment later
        View("2d-paused-quick", says("diffusion_2d_status", f"paused|已暂停|{DONE}"), tab=3,
             press=("diffusion_2d_start", "diffusion_2d_pause"),
             between=says("diffusion_2d_status", r"([5-9]\d\d|\d{4}) · "), idle=False),
        View("2d-paused", f"{drawn('diffusion_2d_particles')} && !({says('diffusion_2d_status', 'Sampling|正在从')})"),
        View("explain", "true", tab=4)), main="diffusion_xt"),
    "gan": Lab("iterations=3000", None, (View("ring", says("gan_status", DONE)),), main="gan_main"),
    "vae": Lab("iterations=1000", None, (
        View("training", says("vae_status", DONE)),
        View("panels", drawn("vae_rate_distortion"),
             press=("vae_encode", "vae_generate", "vae_interpolate", "vae_compress")),
        View("compare", says("vae_compare_status", DONE), press=("vae_compare_start",))), main="vae_curves"),
    "transformer": Lab("steps=600", None, (
        View("reverse", says("transformer_status", DONE)),
        View("induction", says("transformer_ind_status", DONE), link="experiment=induction&ind_steps=800")),
        main="transformer_curves"),
    "text2image": Lab("prompt=a+small+blue+square+at+the+bottom+right", "#text2image_view_denoise", tabs_of(
        "denoise attention guidance edit text vae judge explain", says("text2image_denoise", r"25\D+25"),
        attention=View("attention", drawn("text2image_attention"), tab=1),
        guidance=View("guidance", drawn("text2image_sweep_figure"), tab=2, press=("text2image_sweep",)),
        edit=View("edit", drawn("text2image_edit_figure"), tab=3, press=("text2image_edit",)),
        text=View("text", drawn("text2image_words"), tab=4),
        vae=View("vae", drawn("text2image_vae"), tab=5, press=("text2image_vae_run",)),
        judge=View("judge", drawn("text2image_judge_figure"), tab=6, press=("text2image_judge",))),
        main="text2image_denoise"),
}

IDLE = """() => ![...document.querySelectorAll('[data-testid=status-tracker] .progress-text, .eta-bar,'
    + '[data-testid=status-tracker].generating')].some(e => e.getBoundingClientRect().width > 0)"""

SHOW_TAB = """([selector, index]) => {
    // a sub-tab by its place: the strip's hidden copy names them all; the visible strip or,
    // on a narrow page, the "More tabs" menu holds the button to press
    const wrapper = document.querySelector(selector).closest('.tabs').querySelector(':scope > .tab-wrapper');
    const name = wrapper.querySelectorAll('.visually-hidden button')[index].textContent;
    const named = (buttons) => [...buttons].find(b => b.textContent === name);
    const tab = named(wrapper.querySelectorAll('[role=tab]'));
    if (tab) return tab.click();
    wrapper.querySelector('.overflow-menu > button').click();
    named(wrapper.querySelectorAll('.overflow-dropdown button')).click();
}"""


# "plot id: text / text" for each two texts of a plot on show whose boxes overlap by more than a
# pixel each way, an x tick label against a y tick label at a plot's corner too (the training
# curves' y labels stand off their axis, so the first "0" of each axis do not meet)
OVERLAPS = """() => {
    const pairs = [];
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        const texts = [...gd.querySelectorAll('text')].filter((t) => t.textContent.trim())
            .map((t) => [t, t.getBoundingClientRect()]).filter(([, r]) => r.width > 0 && r.height > 0);
        texts.forEach(([a, p], i) => texts.slice(i + 1).forEach(([b, q]) => {
            if (Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1
                && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1) {
                pairs.push(`${gd.closest('.block')?.id}: ${a.textContent.trim()} / ${b.textContent.trim()}`);
            }
        }));
    }
    return pairs;
}"""

# Latin words on the page (on a Chinese page: untranslated text, or a name that should stay)
LATIN = """() => {
    const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const words = new Set();
    for (let node; (node = walker.nextNode());) {
        const parent = node.parentElement;
        if (parent && shown(parent) && !parent.closest('.katex, script, style, #decoding_outputs'))
            (node.textContent.match(/[A-Za-z]{4,}/g) || []).forEach(w => words.add(w));
    }
    return [...words];
}"""

# the plots on show have been looked at by the page's fitting script (components.plot_fit) and
# nothing is being redrawn: what a reader sees once the page has settled
SETTLED = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter((gd) => gd.getBoundingClientRect().width > 0)
    .every((gd) => gd._fit && gd._fit.layout === gd.layout && !gd._fitBusy)"""


def settle(page) -> bool:
    """Until the page's plots have settled (False if they have not within 30 s)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(SETTLED, timeout=30_000, polling=100)
    except PlaywrightTimeoutError:
        return False
    page.wait_for_timeout(500)
    return True


def check(page, name: str, lang: str) -> str:
    """What a reviewer should look at: sideways overflow, plot texts on top of each other and, on a
    Chinese page, words in Latin letters."""
    settled = settle(page)
    sideways = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    overlaps = page.evaluate(OVERLAPS)
    line = f"{name}{'' if settled else ' (plots still being redrawn)'}: sideways {sideways} px; {len(overlaps)} overlapping plot texts"
    line += "".join(f"\n    {pair}" for pair in overlaps[:8])
    return line + (f"\n    Latin words: {' '.join(sorted(page.evaluate(LATIN)))}" if lang == "zh" else "")


def serve(hold_2d_s: float = 0) -> str:
    """The app on a free local port. Live runs stream 2 views a second, as in the browser tests
    (headless Chromium on 2 shared cores falls behind at 10, and a Pause then takes seconds to
    be sent); ``hold_2d_s`` holds the 2D diffusion lab's full paused view that long, so that its
    quick paused view (on the page for well under a second) can be photographed."""
    import app
    from components import live
    from demos.diffusion import tab

    live.LIMITS = dataclasses.replace(live.LIMITS, stream_interval_s=0.5)
    views = tab.views

    def held(session, run, *args):
        if session.active is not run:    # a run at rest: its particles are sampled now
            time.sleep(hold_2d_s)
        return views(session, run, *args)

    tab.views = held
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.demo.launch(prevent_thread_lock=True, quiet=True,
                    **(app.launch_kwargs() | {"server_name": "127.0.0.1", "server_port": port}))
    return f"http://127.0.0.1:{port}/"


def open_lab(browser, url: str, key: str, query: str, size: tuple[int, int], lang: str):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  locale="zh-CN" if lang == "zh" else "en-US")
    page = context.new_page()
    page.goto(f"{url}?lab={key}&{query}&lang={lang}")
    page.wait_for_selector("[role=tablist]", timeout=120_000)
    return page


def wait(page, condition: str, idle: bool = True, timeout_s: float = 300) -> None:
    page.wait_for_function(f"() => {condition}", timeout=timeout_s * 1000, polling=100)
    if idle:
        page.wait_for_timeout(500)      # a redraw after the last answer, and a slow tracker
        page.wait_for_function(IDLE, timeout=timeout_s * 1000)
        page.wait_for_timeout(500)


def show(page, lab: Lab, view: View) -> None:
    if view.tab is not None:
        page.evaluate(SHOW_TAB, [lab.tabs, view.tab])
        page.wait_for_timeout(800)      # the sub-tab's plots redraw at their width
    for i, button in enumerate(view.press):
        if i:
            wait(page, view.between or "true", idle=not view.between)
        page.locator(f"#{button}").dispatch_event("click")
        page.wait_for_timeout(500)
    wait(page, view.wait, view.idle)


def save_small(page, path: Path) -> None:
    """A viewport picture, reduced to 256 colours when the full-colour one is too big."""
    from PIL import Image

    page.screenshot(path=str(path))
    if path.stat().st_size > MAX_BYTES:
        Image.open(path).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def readme(browser, url: str, keys: list[str]) -> None:
    for key in keys:
        lab = LABS[key]
        page = open_lab(browser, url, key, lab.link, README_SIZE, "en")
        show(page, lab, lab.views[0])
        path = ROOT / "docs" / f"screenshot-{key}.png"
        save_small(page, path)
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1000} KB", flush=True)
        page.context.close()


def review(browser, url: str, keys: list[str], folder: Path) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "checks.txt").write_text("")
    for key in keys:
        lab = LABS[key]
        for size in SIZES:
            for lang in ("en", "zh"):
                page = None
                for view in lab.views:
                    if page is None or view.link is not None:
                        if page is not None:
                            page.context.close()
                        page = open_lab(browser, url, key, view.link or lab.link, size, lang)
                    started, path = time.monotonic(), folder / f"{key}-{view.name}-{lang}-{size[0]}.png"
                    try:
                        show(page, lab, view)
                    except PlaywrightTimeoutError:   # the picture shows what it was waiting for
                        print(f"{path.name}: timed out waiting for {view.wait}", flush=True)
                    page.screenshot(path=str(path), full_page=True)
                    with open(folder / "checks.txt", "a") as checks:
                        print(check(page, path.name, lang), file=checks)
                    print(f"{path.name}  {time.monotonic() - started:.0f} s", flush=True)
                page.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", metavar="LAB", help=f"only these labs ({', '.join(LABS)})")
    parser.add_argument("--review", type=Path, metavar="DIR", help="every view, both sizes and languages, into DIR")
    args = parser.parse_args()
    keys = args.labs or list(LABS)
    if unknown := set(keys) - set(LABS):
        parser.error(f"no lab {', '.join(sorted(unknown))}; the labs: {', '.join(LABS)}")

    from playwright.sync_api import sync_playwright

    import app

    url = serve(hold_2d_s=10 if args.review else 0)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            if args.review:
                review(browser, url, keys, args.review)
            else:
                readme(browser, url, keys)
            browser.close()
    finally:
        app.demo.close()


if __name__ == "__main__":
    main()
