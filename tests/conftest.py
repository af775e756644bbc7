"""Shared fixtures: the app served in-process, a gradio_client on it, and a headless browser."""

from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import pytest  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_url():
    import app

    kwargs = app.launch_kwargs() | {"server_name": "127.0.0.1", "server_port": free_port()}
    app.demo.launch(prevent_thread_lock=True, quiet=True, **kwargs)
    yield f"http://127.0.0.1:{kwargs['server_port']}/"
    app.demo.close()


@pytest.fixture(scope="session")
def client(server_url):
    from gradio_client import Client

    return Client(server_url, verbose=False)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the README's test command, which installs it with apt")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page_factory(browser, server_url):
    """page_factory(locale, query="", viewport=(1400, 1000)) -> a page with the app loaded in that
    browser locale, at ``server_url + query`` (a shareable link's "?lab=…")."""
    contexts = []

    def make(locale: str = "en-US", query: str = "", viewport: tuple[int, int] = (1400, 1000)):
        context = browser.new_context(locale=locale, viewport={"width": viewport[0], "height": viewport[1]})
        contexts.append(context)
        page = context.new_page()
        page.goto(server_url + query)
        page.wait_for_selector(".tab-wrapper, [role=tablist]", timeout=60_000)
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path | None:
    """A full-page screenshot for a person to look at. Best effort: Chromium waits for the page's
    fonts before it shoots, and a page streaming updates on a busy 2-core CI machine has held
    that past 30 s; the tests' assertions are on geometry, so a missed picture only warns."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=True, timeout=60_000)
    except PlaywrightTimeoutError:
        warnings.warn(f"screenshot {name} timed out; not taken", stacklevel=2)
        return None
    return path


def title_contains(page, text: str, timeout: int = 60_000) -> None:
    """Wait until some plot's title on the page contains ``text``."""
    page.wait_for_function(
        "text => [...document.querySelectorAll('.js-plotly-plot .gtitle')].some(t => t.textContent.includes(text))",
        arg=text, timeout=timeout)
