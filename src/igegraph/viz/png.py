"""PNG pictures: the HTML page of a view, screenshotted in headless Chromium, offline.

Examples
--------
>>> chromium_path() is None or chromium_path().startswith("/")
True
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import IgegraphError

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = ["render_png", "chromium_path", "CHROMIUM_ARGS", "chromium_launch_options"]

#: Chromium flags for headless rendering without any network traffic of its own.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

#: Chromium features that only cost time here: the browser window's omnibox popup, a WebUI page in
#: a renderer of its own loaded at each start (about half of a launch's CPU), never shown headless.
SPARED_FEATURES = ("WebUIOmniboxAimPopup", "WebUIOmniboxPopup")


@functools.cache
def chromium_launch_options() -> dict[str, Any]:
    """Keyword arguments for Playwright's ``chromium.launch``: :data:`CHROMIUM_ARGS`, and the
    features of :data:`SPARED_FEATURES` disabled along with those Playwright disables itself.

    Chromium keeps only the last ``--disable-features``, so Playwright's own (which it does not
    expose) is read from its driver, dropped (``ignore_default_args``) and passed again merged.
    When it cannot be read (a Playwright that builds it otherwise), only :data:`CHROMIUM_ARGS`.

    >>> "--headless" in chromium_launch_options()["args"]
    True
    """
    plain: dict[str, Any] = {"args": list(CHROMIUM_ARGS)}
    try:
        from playwright._impl._driver import compute_driver_executable

        lib = Path(compute_driver_executable()[1]).parent / "lib"
        source = next((f.read_text(encoding="utf-8") for f in (lib / "coreBundle.js",
                       lib / "server" / "chromium" / "chromiumSwitches.js") if f.exists()), "")
    except Exception:  # noqa: BLE001 - any other Playwright layout: the plain flags are still right
        return plain
    # found by str.find first: the regex over the whole 3.6 MB bundle took 0.27 s
    start = source.find("disabledFeatures = [")
    block = re.match(r"disabledFeatures = \[(.*?)\]\.filter\(Boolean\);", source[start:start + 20_000], re.S) \
        if start > 0 and not source[start - 1].isalnum() else None
    if block is None:
        return plain
    lines = [line.strip() for line in block.group(1).splitlines()]
    lines = [line for line in lines if line and not line.startswith("//")]
    names = [m.group(1) for line in lines if (m := re.fullmatch(r'"([A-Za-z0-9]+)",?', line))]
    if not names or len(names) != len(lines):  # a computed entry: the flag cannot be known exactly
        return plain
    return {"args": [*CHROMIUM_ARGS, "--disable-features=" + ",".join(names + list(SPARED_FEATURES))],
            "ignore_default_args": ["--disable-features=" + ",".join(names)]}


def chromium_path() -> str | None:
    """The Chromium executable to render with: ``$IGEGRAPH_CHROMIUM``, else the first found on PATH.

    >>> chromium_path() is None or chromium_path().startswith("/")
    True
    """
    env = os.environ.get("IGEGRAPH_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


def render_png(page: str, width: int = 1600, height: int = 1000, scale: float = 1.0,
               timeout: float = 60.0, browser: "Browser | None" = None) -> bytes:
    """Screenshot an igegraph HTML page in headless Chromium (offline) and return PNG bytes.

    The page is opened from a ``file://`` URL with every http(s) request aborted; the picture
    is taken once the page sets ``window.__igegraphReady`` (layout finished, graph fitted).

    Parameters
    ----------
    page : str
        The HTML document (:func:`igegraph.viz.render_html`).
    width, height : int
        The viewport, in CSS pixels.
    scale : float
        Device pixels per CSS pixel.
    timeout : float
        Seconds to wait for the page to finish drawing.
    browser : playwright.sync_api.Browser, optional
        A Chromium the caller has open (Playwright's sync API, used from its own thread): the
        page is drawn in a new context of it, closed afterwards, and the browser stays open.
        Several pictures then cost one launch (about 2 CPU-s each with Playwright's Node.js
        driver) instead of one each. By default a browser is launched and closed.

    Raises
    ------
    IgegraphError
        Playwright or Chromium is not available, the picture is too small to leave the graph
        room beside the legend and panels, or the page did not finish drawing.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
    except ImportError:
        raise IgegraphError("PNG export needs the 'playwright' Python package (pip install playwright)") from None
    with tempfile.TemporaryDirectory(prefix="igegraph-png-") as tmp:
        html_path = Path(tmp) / "view.html"
        html_path.write_text(page, encoding="utf-8")
        try:
            if browser is not None:
                return _screenshot(browser, html_path, width, height, scale, timeout)
            return _launch_and_screenshot(html_path, width, height, scale, timeout)
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise IgegraphError(f"Chromium could not render the page: {first}") from None


def _launch_and_screenshot(html_path: Path, width: int, height: int, scale: float, timeout: float) -> bytes:
    """:func:`_screenshot` in a Chromium launched for it, and closed."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # inside an event loop (Jupyter, a playwright session): the sync API needs its own thread
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            return pool.submit(_launch_and_screenshot, html_path, width, height, scale, timeout).result()
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None or not os.path.exists(exe):
        raise IgegraphError("PNG export needs Chromium: install it (apt-get install chromium) "
                            "or set IGEGRAPH_CHROMIUM to its path")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, **chromium_launch_options())
        try:
            return _screenshot(browser, html_path, width, height, scale, timeout)
        finally:
            browser.close()


def _screenshot(browser: "Browser", html_path: Path, width: int, height: int, scale: float,
                timeout: float) -> bytes:
    """The PNG of ``html_path`` drawn in a new context of ``browser`` (closed afterwards), offline."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
    try:
        pg = ctx.new_page()
        pg.route("http*://**/*", lambda route: route.abort())
        pg.goto(html_path.as_uri())
        pg.wait_for_function("window.__igegraphReady === true || window.__igegraphNoRoom === true",
                             timeout=timeout * 1000)
        if pg.evaluate("window.__igegraphNoRoom === true"):
            raise IgegraphError(f"a {width}×{height} picture leaves this view's graph no room beside its legend "
                                f"and panels; make it larger (e.g. 800×500)")
        return pg.screenshot(full_page=False, type="png")
    finally:
        ctx.close()
