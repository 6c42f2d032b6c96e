"""Real-browser helpers for the tests: Debian's Chromium driven by Playwright.

The browser tests never download a browser. They drive the system Chromium
(Debian's package ``chromium``) with Playwright for Python. When Chromium is
missing and the tests run as root, :func:`require_chromium` installs it with
apt-get; when it truly cannot be had, the browser tests are skipped with a
message that says so (or fail, if ``NNTRAIN_REQUIRE_BROWSER=1``).

Everything a page loads must come from this machine: :class:`Guard` aborts
and records every request to another host, so a page that needs the network
(a CDN script, a web font) fails its test instead of working by luck.

The tests of the built book share the rest: the site and its pages in the
order of ``_toc.yml`` (:func:`toc_pages`), waiting for MathJax
(:func:`wait_for_math`), and the accessibility audit with axe-core
(:func:`axe_audit`, WCAG 2.0 and 2.1, levels A and AA).
"""
import contextlib
import functools
import http.server
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from helpers import ROOT, apt

#: The built book (``make book``), or ``$NNTRAIN_SITE``.
SITE = Path(os.environ.get("NNTRAIN_SITE", ROOT / "_build" / "html")).resolve()

# Debian packages: the browser, and the fonts its pages are drawn with.
CHROMIUM_PACKAGES = ["chromium", "fonts-liberation"]
CHROMIUM_NAMES = ("chromium", "chromium-browser")
# Playwright makes a fresh, temporary user-data-dir for every launch.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def find_chromium():
    """Path of the system Chromium (or ``$NNTRAIN_CHROMIUM``), or None."""
    explicit = os.environ.get("NNTRAIN_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _install_chromium():
    """Install Debian's Chromium; returns (path, "") or (None, why it failed)."""
    why = apt.install(CHROMIUM_PACKAGES, find_chromium)
    path = find_chromium()
    if path:
        return path, ""
    if not why:       # installed, yet not found: say where it was looked for
        why = (f"no executable named {' or '.join(CHROMIUM_NAMES)} is on PATH"
               + (f" (NNTRAIN_CHROMIUM={os.environ['NNTRAIN_CHROMIUM']})"
                  if os.environ.get("NNTRAIN_CHROMIUM") else ""))
    return None, why


@functools.cache
def _chromium():
    path = find_chromium()
    if path:
        return path, ""
    return _install_chromium()


def _unavailable(message):
    if os.environ.get("NNTRAIN_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (NNTRAIN_REQUIRE_BROWSER=1 makes this a failure)", pytrace=False)
    pytest.skip(message)


def require_chromium():
    """The system Chromium, installed with apt-get if needed; skips the test if impossible."""
    path, reason = _chromium()
    if not path:
        _unavailable(f"SKIPPED BROWSER TESTS: Chromium is not installed and could not be "
                     f"installed: {reason}")
    return path


def _playwright():
    """Why Playwright cannot be used here ("" if it can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        # it is one of the course tools (pyproject.toml, extra "course")
        return "run `make venv` to install the course tools"
    return ""


def require_playwright():
    reason = _playwright()
    if reason:
        _unavailable(f"SKIPPED BROWSER TESTS: Playwright for Python is not installed: {reason}")


@contextlib.contextmanager
def chromium():
    """A headless Chromium browser (Playwright ``Browser``) for the duration of the block.

    Only one can be open at a time in a thread (Playwright's sync API), and
    while it is open the thread has a running asyncio loop: keep the block
    short (a test module), so that other tests' asyncio code never meets it.
    """
    executable = require_chromium()
    require_playwright()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
        ".ipynb": "application/x-ipynb+json", ".svg": "image/svg+xml",
        ".woff": "font/woff", ".woff2": "font/woff2",
    }

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def is_local(url):
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


class Guard:
    """Watches a browser context: network use and the errors its pages report.

    ``blocked`` lists requests to other hosts (aborted); ``errors`` lists console
    errors, uncaught exceptions, failed requests and HTTP error responses.
    """

    def __init__(self, context):
        self.blocked = []
        self.errors = []
        context.route("**/*", self._route)
        context.on("page", self.watch)

    def _route(self, route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message):
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.errors.append(f"console error: {message.text}" + (f" ({where})" if where else ""))

    def _failed(self, request):
        if is_local(request.url):
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400 and is_local(response.url):
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def problems(self):
        """A readable list of everything that went wrong, or []."""
        return [f"needs the network: {url}" for url in self.blocked] + list(self.errors)


# ---------------------------------------------------------------------------
# The built book
# ---------------------------------------------------------------------------

def _entries(items, chapter=None, numbered=False, depth=0):
    for item in items or []:
        if "file" in item:
            docname = str(Path(item["file"]).with_suffix("")) if item["file"].endswith(
                (".md", ".ipynb")) else item["file"]
            yield {"docname": docname, "chapter": chapter, "lesson": numbered and depth == 0}
            yield from _entries(item.get("sections"), docname, numbered, depth + 1)
        else:
            yield from _entries(item.get("sections"), chapter, numbered, depth + 1)


def toc_pages(root=ROOT):
    """Every page of the book, in reading order: docname, parent page, is-a-chapter.

    Read from ``_toc.yml``, so that a page added to the book is tested too.
    """
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text())
    pages = [{"docname": toc["root"], "chapter": None, "lesson": False}]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        pages += _entries(part.get("chapters"), numbered=bool(part.get("numbered")))
    return pages


def require_site(site=SITE):
    """The built site; a test fails (never skips) when there is none."""
    if not (Path(site) / "index.html").is_file():
        pytest.fail(f"there is no built book at {site}: run make book first", pytrace=False)
    return Path(site)


def wait_for_math(page):
    """Wait until MathJax (if the page loads it) has typeset every formula."""
    if page.locator('script[src*="mathjax"]').count():
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
        page.evaluate("() => MathJax.startup.promise.then(() => true)")


#: Final colours, not a transition in progress; no smooth scrolling.
NO_MOTION_CSS = ("*, *::before, *::after { transition: none !important; animation: none !important; }"
                 " html, * { scroll-behavior: auto !important; }")


# ---------------------------------------------------------------------------
# Accessibility audit: axe-core, as the pinned axe-playwright-python ships it
# ---------------------------------------------------------------------------

#: WCAG 2.0 and 2.1, levels A and AA (axe-core's rule tags).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@functools.cache
def _axe_script():
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError:
        _unavailable("SKIPPED ACCESSIBILITY AUDIT: axe-playwright-python is not installed: "
                     "run `make venv` to install the course tools")
    return AXE_SCRIPT


def axe_audit(page, context=None, tags=WCAG_TAGS):
    """Run axe-core on ``page`` (or on ``context``, a CSS selector); returns the violations.

    Each violation is a readable string: the rule, its impact and what it
    requires, then every element that fails it (its CSS path, its HTML and
    why it fails). An empty list means the page passes every rule of ``tags``.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_script())
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    result = page.evaluate("([context, options]) => axe.run(context || document, options)",
                           [context, options])
    problems = []
    for rule in result["violations"]:
        elements = []
        for node in rule["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            html = " ".join(node["html"].split())[:200]
            why = " ".join((node.get("failureSummary") or "").split())[:300]
            elements.append(f"    {target}: {html}\n      {why}")
        problems.append(f"{rule['id']} ({rule['impact']}): {rule['help']} [{rule['helpUrl'].split('?')[0]}]\n"
                        + "\n".join(elements))
    return problems


def wait_for_jupyter(server, base, token, log, what, timeout):
    """Wait until the Jupyter server ``server`` (a Popen whose output goes to the file ``log``)
    answers at ``base``; fail the test with the end of its log if ``what`` (the command, for the
    message) exits or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            pytest.fail(f"{what} exited ({server.returncode}):\n{Path(log).read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not start JupyterLab in {timeout} s:\n{Path(log).read_text()[-3000:]}")
        time.sleep(0.5)


def stop_jupyter(server):
    """Stop the Jupyter server ``server`` (started with ``start_new_session=True``) and everything
    in its process group (``make``, the server, the kernels it started): SIGTERM, then SIGKILL."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=20)


#: JavaScript helpers for colours in the page: parse a CSS colour, blend layers, WCAG 2
#: luminance and contrast ratio, the opaque background really behind an element.
#: Pasted at the top of a function the browser tests evaluate.
COLOUR_JS = r"""
  const parse = c => {
    const m = /rgba?\(([^)]*)\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(v => v.endsWith('%') ? parseFloat(v) / 100 : Number(v));
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const blend = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = el => {
    const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let color = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) color = blend(layers[i], color);
    return color;
  };
  const rgb = c => `rgb(${c.slice(0, 3).map(Math.round).join(', ')})`;
"""
