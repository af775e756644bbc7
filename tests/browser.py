"""What the browser tests read off a page and how they act on it, shared by every lab's browser test.

Reads go through one ``page.evaluate`` each, and presses through ``dispatch_event`` by id: on a page
busy redrawing a live run, a playwright locator's wait for a stable element once ran past its 30 s,
and a role query walks every plot's SVG.
"""

from __future__ import annotations


def box(page, element_id: str, inside: str = "") -> dict:
    """The box on the screen (x, y, top, bottom, left, right, width, height) of the element, or of
    the first element matching the selector ``inside`` within it."""
    return page.evaluate("""selector => { const r = document.querySelector(selector).getBoundingClientRect();
        return {x: r.x, y: r.y, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                width: r.width, height: r.height}; }""", f"#{element_id} {inside}".strip())


def plot_width_share(page, element_id: str) -> float:
    """The drawn plot's width over its container's (0 while it is not drawn; above 1 for a plot
    that scrolls sideways)."""
    return page.evaluate("""id => {
        const block = document.getElementById(id), svg = block.querySelector('.main-svg');
        return svg && block.clientWidth ? svg.getBoundingClientRect().width / block.clientWidth : 0;
    }""", element_id)


def wait_full_width(page, element_id: str, timeout: int = 30_000) -> None:
    """Until the plot is drawn at ≥ 90% of its container (a plot drawn while its tab was hidden
    comes back narrow unless the page redraws it)."""
    page.wait_for_function("id => { const b = document.getElementById(id), s = b.querySelector('.main-svg');"
                           " return s && s.getBoundingClientRect().width >= 0.9 * b.clientWidth; }",
                           arg=element_id, timeout=timeout)


def overlapping(page, selector: str) -> list:
    """Pairs of texts among the elements matching ``selector`` whose boxes overlap by more than
    half a pixel each way (empty and hidden ones left out)."""
    return page.evaluate("""selector => {
        const boxes = [...document.querySelectorAll(selector)].map(t => [t.textContent, t.getBoundingClientRect()])
            .filter(([text, r]) => text.trim() && r.width > 0);
        const pairs = [];
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const [a, p] = boxes[i], [b, q] = boxes[j];
            const dx = Math.min(p.right, q.right) - Math.max(p.left, q.left);
            const dy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
            if (dx > 0.5 && dy > 0.5) pairs.push([a, b]);
        }
        return pairs;
    }""", selector)


def overlapping_labels(page, element_id: str, points: bool = False) -> list:
    """Overlapping tick labels of the plot (any axis), with its text points when ``points``."""
    parts = [".xtick text", ".ytick text", *([".textpoint text"] if points else [])]
    return overlapping(page, ", ".join(f"#{element_id} {part}" for part in parts))


def show_view(page, views_id: str, name: str, plot_id: str | None = None) -> None:
    """Bring the sub-tab ``name`` of the tabs ``views_id`` to the front (from "More tabs" on a
    narrow page); with ``plot_id``, wait until that plot, drawn while it was hidden, is back at
    full width and relabelled."""
    views = page.locator(f"#{views_id}")
    tab = views.get_by_role("tab", name=name, exact=True)
    if tab.count():
        tab.click()
    else:
        views.get_by_role("button", name="More tabs").click()
        views.locator(".overflow-dropdown button", has_text=name).click()
    if plot_id:
        wait_full_width(page, plot_id)
        page.wait_for_timeout(300)   # the page's relabelling after the redraw


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def press(page, button_id: str) -> None:
    """Click a button by id, without playwright's wait for a stable layout (the page may be
    redrawing a live run)."""
    page.locator(f"#{button_id}").dispatch_event("click", timeout=90_000)


def texts_outside(page, element_id: str) -> list:
    """The texts of a plot's titles, subtitles, panel titles and axis titles (not its colour bar)
    that reach outside the drawn figure, as [text, left, right, top, the figure's left, right, top]."""
    return page.evaluate("""id => {
        const plot = document.querySelector(`#${id} .js-plotly-plot`), outer = plot.getBoundingClientRect();
        return [...plot.querySelectorAll('.infolayer text')]
            .filter(t => !t.closest('.colorbar') && t.textContent.trim())
            .map(t => [t.textContent, t.getBoundingClientRect()])
            .filter(([, r]) => r.left < outer.left - 0.5 || r.right > outer.right + 0.5 || r.top < outer.top - 0.5)
            .map(([text, r]) => [text, r.left, r.right, r.top, outer.left, outer.right, outer.top]);
    }""", element_id)


def selected_tab(page) -> str | None:
    """The id (a lab's key) of the selected tab of the page's top tab strip."""
    return page.evaluate("""() => document.querySelector('[role=tablist]')
        ?.querySelector('[role=tab][aria-selected=true]')?.dataset.tabId ?? null""")


def wait_selected(page, tab_id: str, timeout: int = 30_000) -> None:
    """Until the top tab strip's selected tab is ``tab_id``; an AssertionError naming the selected
    one if it never is."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function("""id => document.querySelector('[role=tablist]')
            ?.querySelector('[role=tab][aria-selected=true]')?.dataset.tabId === id""", arg=tab_id, timeout=timeout)
    except PlaywrightTimeoutError:
        raise AssertionError(f"tab {tab_id!r} not selected; selected: {selected_tab(page)!r}") from None


def choose_language(page, name: str) -> None:
    """Pick the page's language in the footer's Settings, by its name there ("English", "简体中文")."""
    names = ["English", "简体中文"]
    page.locator("button.settings").click()
    page.wait_for_function("names => [...document.querySelectorAll('input')].some((box) => names.includes(box.value))",
                           arg=names, timeout=30_000)
    next(box for box in page.locator("input").all() if box.input_value() in names).click()
    page.locator("li", has_text=name).first.click()
    page.keyboard.press("Escape")


class HeldAnswers:
    """Holds the server's answers to a browser context's direct calls (``/gradio_api/run/``: events
    with ``queue=False``, the page's check of a link among them) until ``release``, so a test reads
    what the page does before them without racing them. Install it before the page loads."""

    def __init__(self, context):
        self.held = []
        self.holding = True
        context.route(lambda url: "/gradio_api/run/" in url, self._route)

    def _route(self, route) -> None:
        if self.holding:
            self.held.append(route)
        else:
            route.continue_()

    def release(self) -> None:
        self.holding = False
        for route in self.held:
            route.continue_()
        self.held.clear()
