"""The built book, as a reader sees it in a real browser (headless Chromium).

The site (``_build/html``, or ``$NNTRAIN_SITE``) is served on 127.0.0.1 and
every page that ``_toc.yml`` lists is opened in light and in dark mode. A page
must load with no console error and without the network; its math must be
typeset (offline MathJax); every image must load and have alt text; every
internal link must resolve; the sidebar must list every chapter with its
exercises, under a title that nothing covers; the page has one search box;
its text must be readable (WCAG contrast) in both modes. Notebook pages offer
the .ipynb download (the student version on exercise pages) and launch
buttons that open the student versions. Search must find every page.
Full-page screenshots of every page go to ``_build/screenshots/``.

``make book`` builds the site; without it these tests fail, they never skip.
"""
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit

import nbformat
import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from helpers.browser import (COLOUR_JS, ROOT, SITE, Guard, require_site, toc_pages,
                             wait_for_math)

SCREENSHOTS = SITE.parent / "screenshots"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
MODES = ("light", "dark")
VIEWPORT = {"width": 1280, "height": 900}
STUDENT_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS",
                   "### END HIDDEN TESTS")


# ---------------------------------------------------------------------------
# What the table of contents promises
# ---------------------------------------------------------------------------

PAGES = toc_pages()
DOCNAMES = [p["docname"] for p in PAGES]
LESSONS = [p["docname"] for p in PAGES if p["lesson"]]
EXERCISES = [p["docname"] for p in PAGES if p["docname"].startswith("exercises/")]
NOTEBOOK_PAGES = [d for d in DOCNAMES if d in LESSONS or d in EXERCISES
                  or (ROOT / f"{d}.ipynb").is_file()]


def source_notebook(docname):
    path = ROOT / f"{docname}.ipynb"
    return nbformat.read(str(path), as_version=4) if path.is_file() else None


# ---------------------------------------------------------------------------
# Fixtures: one visit per page and mode (the site, its server and the browser: conftest.py)
# ---------------------------------------------------------------------------

def page_file(site, docname):
    path = site / f"{docname}.html"
    if not path.is_file():
        pytest.fail(f"{docname} is in _toc.yml but not in the site ({path} is missing): "
                    "run make book first", pytrace=False)
    return path


INSPECT = r"""
async () => {
  const article = document.querySelector('.bd-article') || document.body;
  // Images: load lazy ones now, then wait for every image to finish.
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
    setTimeout(done, 10000);
  })));
  // Dollar signs left in prose are math that was not typeset.
  const raw = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest('pre, code, script, style, mjx-container, .math, .cell_output'))
      continue;
    const m = n.textContent.match(/\$[^$\s][^$]*\$|\\\(|\\\[/);
    if (m) raw.push(n.textContent.trim().slice(0, 80));
  }
  const link = a => ({href: a.href, raw: a.getAttribute('href'), text: a.textContent.trim().slice(0, 60)});
  // The sidebar's title: is every line of it in the window and on top there?
  const sidebar = document.querySelector('.bd-sidebar-primary');
  const titleSeen = () => {
    const title = document.querySelector('.bd-sidebar-primary .logo__title');
    if (!title) return null;
    const range = document.createRange();
    range.selectNodeContents(title);
    const lines = Array.from(range.getClientRects()).filter(r => r.width > 1 && r.height > 1);
    const hidden = [];
    for (const r of lines) for (const fx of [0.05, 0.5, 0.95]) {
      const x = r.left + r.width * fx, y = r.top + r.height / 2;
      const at = `(${Math.round(x)}, ${Math.round(y)})`;
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) { hidden.push(`${at} is outside the window`); continue; }
      const hit = document.elementFromPoint(x, y);
      if (!hit || !title.contains(hit))
        hidden.push(`${at} is covered by ${hit ? `<${hit.tagName.toLowerCase()} class="${hit.className}">` : 'nothing'}`);
    }
    return {text: title.textContent.trim(), lines: lines.length, hidden};
  };
  const titleLoaded = titleSeen();
  let titleScrolled = null;
  if (sidebar && sidebar.scrollHeight > sidebar.clientHeight) {
    const top = sidebar.scrollTop;
    sidebar.scrollTop = sidebar.scrollHeight;
    titleScrolled = titleSeen();
    sidebar.scrollTop = top;
  }
  // Search boxes a reader sees (the pop-up search dialog is closed)
  const shown = e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility === 'visible'
      && !e.closest('dialog:not([open])');
  };
  const boxes = Array.from(document.querySelectorAll(
    '.search-button-field, .search-button__button, form.bd-search, input[type=search], input[name=q]'))
    .filter(shown);
  const searchBoxes = boxes.filter(e => !boxes.some(o => o !== e && o.contains(e)))
    .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> at (${Math.round(e.getBoundingClientRect().x)}, ${Math.round(e.getBoundingClientRect().y)})`);
  return {
    sidebarTitle: {loaded: titleLoaded, scrolled: titleScrolled},
    searchBoxes,
    title: document.title,
    theme: document.documentElement.dataset.theme || '',
    math: {
      elements: article.querySelectorAll('.math').length,
      typeset: Array.from(article.querySelectorAll('.math')).filter(e => e.querySelector('mjx-container')).length,
      containers: document.querySelectorAll('mjx-container').length,
      errors: Array.from(document.querySelectorAll('mjx-merror')).map(e => e.textContent.slice(0, 80)),
      untypeset: raw,
      script: (document.querySelector('script[src*="mathjax"]') || {}).src || '',
    },
    images: images.map(img => ({
      src: img.currentSrc || img.src, raw: img.getAttribute('src'), alt: img.getAttribute('alt'),
      loaded: img.complete && img.naturalWidth > 0, article: !!img.closest('.bd-article'),
    })),
    links: Array.from(document.querySelectorAll('a[href]')).map(link),
    ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name')),
    nav: Array.from(document.querySelectorAll('nav.bd-docs-nav a[href]')).map(a => {
      const top = a.closest('li.toctree-l1');
      return {...link(a), chapter: top ? top.querySelector('a').href : null};
    }),
    downloads: Array.from(document.querySelectorAll('.dropdown-download-buttons a[href]')).map(link),
    launches: Array.from(document.querySelectorAll('.dropdown-launch-buttons a[href]')).map(link),
    admonitions: Array.from(article.querySelectorAll('.admonition')).map(e => e.innerText),
    text: article.innerText,
  };
}
"""

# WCAG 2 contrast of every visible piece of text against what is really behind it.
READABILITY = r"""
() => {
""" + COLOUR_JS + r"""
  const opacity = el => { let o = 1; for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; };
  const failures = [], seen = new Set();
  let checked = 0;
  const roots = document.querySelectorAll('.bd-article, .bd-sidebar-primary, .bd-header-article, .bd-footer-content, .prev-next-area');
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || seen.has(el)) continue;
      seen.add(el);
      if (el.closest('mjx-container, script, style, noscript, .headerlink, [hidden], .visually-hidden, .sr-only')) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility !== 'visible' || box.width === 0 || box.height === 0) continue;
      const alpha = opacity(el);
      if (alpha < 0.1) continue;
      const fg = parse(style.color);
      if (!fg) continue;
      const bg = background(el);
      const value = ratio(blend([fg[0], fg[1], fg[2], fg[3] * alpha], bg), bg);
      const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
      const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
      checked++;
      if (value < need) failures.push(`"${n.textContent.trim().slice(0, 40)}" <${el.tagName.toLowerCase()} class="${el.className}">: contrast ${value.toFixed(2)} < ${need} (text ${style.color} on rgb(${bg.slice(0, 3).map(Math.round).join(', ')}))`);
    }
  }
  // A figure with a transparent background shows black on black in dark mode.
  const figures = [];
  for (const img of document.querySelectorAll('.bd-article img')) {
    if (!img.naturalWidth) continue;
    let opaque = true;
    try {
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const w = img.naturalWidth - 1, h = img.naturalHeight - 1;
      opaque = [[0, 0], [w, 0], [0, h], [w, h]].every(([x, y]) => ctx.getImageData(x, y, 1, 1).data[3] > 250);
    } catch (e) { opaque = true; }
    const behind = background(img);
    if (!opaque && lum(behind) < 0.5) figures.push(`${img.getAttribute('src')}: transparent figure on a dark background`);
  }
  const page = background(document.querySelector('.bd-article') || document.body);
  return {checked, failures, figures, pageLuminance: lum(page),
          theme: document.documentElement.dataset.theme || ''};
}
"""


def screenshot_path(docname, mode):
    return SCREENSHOTS / f"{docname.replace('/', '__')}-{mode}.png"


@pytest.fixture(scope="module")
def visit(browser, site, site_url):
    """Open a page once per mode; returns what the browser saw (cached)."""
    seen = {}

    def visit(docname, mode="light"):
        if (docname, mode) in seen:
            return seen[docname, mode]
        require_site()
        page_file(site, docname)
        context = browser.new_context(color_scheme=mode, viewport=VIEWPORT,
                                      reduced_motion="reduce")
        guard = Guard(context)
        try:
            page = context.new_page()
            url = urljoin(site_url, quote(f"{docname}.html"))
            page.goto(url, wait_until="load", timeout=60_000)
            wait_for_math(page)
            # measure the final colours, not a colour transition in progress
            page.add_style_tag(content="*, *::before, *::after { transition: none !important;"
                                       " animation: none !important; }")
            result = page.evaluate(INSPECT)
            result["readability"] = page.evaluate(READABILITY)
            page.wait_for_load_state("networkidle", timeout=30_000)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            path = screenshot_path(docname, mode)
            page.screenshot(path=str(path), full_page=True, animations="disabled")
            result["screenshot"] = path
            result["url"] = url
            result["problems"] = guard.problems()
        finally:
            context.close()
        seen[docname, mode] = result
        return result

    return visit


# ---------------------------------------------------------------------------
# Every page
# ---------------------------------------------------------------------------

def test_site_is_built():
    """Every page of _toc.yml is in the site (no browser needed to say so)."""
    site = require_site()
    for docname in DOCNAMES:
        page_file(site, docname)


@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_loads_without_errors_or_network(visit, docname):
    for mode in MODES:
        seen = visit(docname, mode)
        assert not seen["problems"], (
            f"{docname} ({mode} mode) reported problems:\n  " + "\n  ".join(seen["problems"]))
        assert seen["screenshot"].stat().st_size > 10_000, f"empty screenshot {seen['screenshot']}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_math_is_typeset_offline(visit, site_url, docname):
    math = visit(docname)["math"]
    assert not math["untypeset"], f"{docname}: math left as raw TeX in the text: {math['untypeset']}"
    if not math["elements"]:
        return
    assert math["script"].startswith(site_url), (
        f"{docname}: MathJax must come from the site itself (offline), not {math['script']!r}")
    assert math["typeset"] == math["elements"], (
        f"{docname}: only {math['typeset']} of {math['elements']} formulas were typeset by MathJax")
    assert not math["errors"], f"{docname}: MathJax could not typeset: {math['errors']}"


def _alt_problem(image):
    alt = (image["alt"] or "").strip()
    name = Path(unquote(urlsplit(image["src"]).path)).name
    if not alt:
        return "no alt text"
    if name and (alt == image["raw"] or alt.endswith(name) or re.fullmatch(r"[\w./-]+\.(png|jpe?g|svg|gif)", alt)):
        return f"alt text is only the file name ({alt!r})"
    return None


@pytest.mark.parametrize("docname", DOCNAMES)
def test_images_load_and_have_alt_text(visit, docname):
    images = visit(docname)["images"]
    broken = [i["src"] for i in images if not i["loaded"]]
    assert not broken, f"{docname}: images that do not load: {broken}"
    missing = [f"{i['src']}: {_alt_problem(i)}" for i in images if i["article"] and _alt_problem(i)]
    assert not missing, (f"{docname}: figures without alt text (set the cell metadata "
                         f'{{"mystnb": {{"image": {{"alt": "..."}}}}}}): {missing}')
    # Every figure a notebook cell declares (alt text in its metadata) is on the page.
    nb = source_notebook(docname)
    declared = [c.metadata["mystnb"]["image"]["alt"] for c in (nb.cells if nb else [])
                if c.cell_type == "code" and c.metadata.get("mystnb", {}).get("image", {}).get("alt")]
    shown = {(i["alt"] or "").strip() for i in images}
    absent = [alt for alt in declared if alt.strip() not in shown]
    assert not absent, (
        f"{docname}: cells declare figures that the page does not show, so they produced no "
        f"image when the book was built (did the notebook fail? see _build/html/reports/; or "
        f"the build ran with a non-interactive MPLBACKEND such as Agg): {absent}")


def _target_file(site, url):
    path = unquote(urlsplit(url).path).lstrip("/")
    target = site / path
    if target.is_dir():
        target = target / "index.html"
    return target


_IDS = {}


def _ids_of(path):
    if path not in _IDS:
        text = path.read_text(errors="replace")
        _IDS[path] = set(re.findall(r'\bid="([^"]+)"', text)) | set(re.findall(r'\bname="([^"]+)"', text))
    return _IDS[path]


@pytest.mark.parametrize("docname", DOCNAMES)
def test_internal_links_resolve(visit, site, site_url, docname):
    seen = visit(docname)
    here = urlsplit(seen["url"]).path
    broken = []
    for link in seen["links"]:
        url = link["href"]
        if not url.startswith(site_url):
            continue  # another site, mailto:, javascript: ...
        parts = urlsplit(url)
        target = _target_file(site, url)
        if not target.is_file():
            broken.append(f"{link['raw']} ({link['text']!r}): no file {target.relative_to(site)}")
            continue
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html":
            ids = set(seen["ids"]) if parts.path == here else _ids_of(target)
            if fragment not in ids:
                broken.append(f"{link['raw']} ({link['text']!r}): no anchor #{fragment} "
                              f"in {target.relative_to(site)}")
    assert not broken, f"{docname}: internal links that do not resolve:\n  " + "\n  ".join(broken)


@pytest.mark.parametrize("docname", DOCNAMES)
def test_navigation_lists_every_chapter_and_exercise(visit, site_url, docname):
    nav = visit(docname)["nav"]
    pages = {}
    for link in nav:
        pages.setdefault(urlsplit(link["href"])._replace(fragment="").geturl(), link)
    missing, misplaced = [], []
    for entry in PAGES:
        if entry["docname"] == DOCNAMES[0]:
            continue  # the home page is the book's title and logo link
        url = urljoin(site_url, quote(f"{entry['docname']}.html"))
        link = pages.get(url)
        if link is None:
            missing.append(entry["docname"])
        elif entry["chapter"]:
            chapter = urljoin(site_url, quote(f"{entry['chapter']}.html"))
            if urlsplit(link["chapter"] or "")._replace(fragment="").geturl() != chapter:
                misplaced.append(f"{entry['docname']} is not listed under {entry['chapter']}")
    assert not missing, f"{docname}: the sidebar does not list {missing}"
    assert not misplaced, f"{docname}: " + "; ".join(misplaced)


@pytest.mark.parametrize("docname", DOCNAMES)
def test_reads_well_in_light_and_dark_mode(visit, docname):
    problems = []
    for mode in MODES:
        seen = visit(docname, mode)["readability"]
        if seen["theme"] != mode:
            problems.append(f"{mode} mode: the page shows theme {seen['theme']!r}")
        dark = seen["pageLuminance"] < 0.2
        if dark != (mode == "dark"):
            problems.append(f"{mode} mode: the page background has luminance "
                            f"{seen['pageLuminance']:.2f}")
        if seen["checked"] < 10:
            problems.append(f"{mode} mode: only {seen['checked']} pieces of text were found")
        problems += [f"{mode} mode: {f}" for f in seen["failures"] + seen["figures"]]
    assert not problems, f"{docname} is hard to read:\n  " + "\n  ".join(problems[:40])


@pytest.mark.parametrize("docname", DOCNAMES)
def test_one_search_box(visit, docname):
    """The sidebar's search box is the page's only one (Ctrl+K opens search too)."""
    for mode in MODES:
        boxes = visit(docname, mode)["searchBoxes"]
        assert len(boxes) == 1, f"{docname} ({mode} mode): {len(boxes)} search boxes: {boxes}"


@pytest.mark.parametrize("docname", DOCNAMES)
def test_sidebar_title_is_readable(visit, docname):
    """Every line of the book's title at the top of the sidebar is in the window and
    covered by nothing (no header bar over it, not scrolled away), as the page opens
    and after the sidebar is scrolled to its end, at 1280x900."""
    problems = []
    for mode in MODES:
        title = visit(docname, mode)["sidebarTitle"]
        if title["loaded"] is None:
            problems.append(f"{mode} mode: the sidebar has no title")
            continue
        if not title["loaded"]["text"] or not title["loaded"]["lines"]:
            problems.append(f"{mode} mode: the sidebar's title shows no text: {title['loaded']}")
        for state in ("loaded", "scrolled"):
            if title[state]:
                problems += [f"{mode} mode, sidebar {state}: {title[state]['text']!r}: {where}"
                             for where in title[state]["hidden"]]
    assert not problems, f"{docname}: the sidebar's title is not readable:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------
# Notebook pages: download and launch buttons
# ---------------------------------------------------------------------------

def _fetch_notebook(requests, url):
    response = requests.get(url)
    assert response.ok, f"{url}: HTTP {response.status}"
    nb = nbformat.reads(response.text(), as_version=4)
    nbformat.validate(nb)
    return nb


@pytest.fixture(scope="module")
def http(browser):
    context = browser.new_context()
    yield context.request
    context.close()


def _ipynb_download(seen, docname):
    links = [link for link in seen["downloads"] if urlsplit(link["href"]).path.endswith(".ipynb")]
    assert links, f"{docname}: no .ipynb download button (downloads: {seen['downloads']})"
    return links[0]["href"]


@pytest.mark.parametrize("docname", [d for d in NOTEBOOK_PAGES if d not in EXERCISES])
def test_lesson_download_is_the_lesson_notebook(visit, http, docname):
    url = _ipynb_download(visit(docname), docname)
    nb = _fetch_notebook(http, url)
    source = source_notebook(docname)
    assert source is not None, f"{docname}.ipynb is not in the repository"
    assert [c.source for c in nb.cells] == [c.source for c in source.cells], (
        f"{docname}: the downloaded notebook is not {docname}.ipynb")


@pytest.mark.parametrize("docname", EXERCISES)
def test_exercise_download_is_the_student_version(visit, http, student_versions, docname):
    url = _ipynb_download(visit(docname), docname)
    nb = _fetch_notebook(http, url)
    text = json.dumps([c.source for c in nb.cells])
    leaked = [m for m in STUDENT_MARKERS if m in text]
    assert not leaked, f"{docname}: the download contains {leaked}: it is not the student version"
    assignment_id = docname.split("/")[1]
    student = nbformat.read(str(student_versions(assignment_id)), as_version=4)
    assert [(c.cell_type, c.source) for c in nb.cells] == \
        [(c.cell_type, c.source) for c in student.cells], (
        f"{docname}: the downloaded notebook differs from the student version nbgrader "
        f"generates from solutions/{assignment_id} (run make book to refresh exercises/)")
    assert "NotImplementedError" in text, f"{docname}: the student version has no answer stubs"


def _launch_config():
    launch = CONFIG.get("launch_buttons") or {}
    repository = CONFIG.get("repository") or {}
    return launch, repository


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_launch_buttons_open_the_student_version(visit, docname):
    """Binder and JupyterHub open this page's notebook on the student branch.

    That branch holds what students get (the lessons, lib/, and exercises/ as
    nbgrader generates it) and no solutions, so an exercise page's buttons
    open the same student version that its download button gives.
    """
    launch, repository = _launch_config()
    assert launch.get("binderhub_url"), "_config.yml: launch_buttons needs binderhub_url"
    # JupyterHub's button appears only once a course sets its hub's address
    hub_url = launch.get("jupyterhub_url")
    repo_url = repository["url"].rstrip("/")
    branch = repository["branch"]
    assert branch not in ("main", "master"), (
        "_config.yml: repository.branch must be the student branch (no solutions/)")
    book = (repository.get("path_to_book") or "").strip("/")
    path = "/".join(p for p in (book, f"{docname}.ipynb") if p)
    interface = "lab/tree" if launch.get("notebook_interface") == "jupyterlab" else "tree"
    seen = visit(docname)
    links = {link["text"]: link["href"] for link in seen["launches"]}
    assert set(links) == ({"Binder", "JupyterHub"} if hub_url else {"Binder"}), \
        f"{docname}: launch buttons {links}"
    for name, url in links.items():
        assert "solutions/" not in url and "autograder/" not in url, f"{name} opens {url}"

    binder = urlsplit(links["Binder"])
    owner_repo = urlsplit(repo_url).path.strip("/")
    assert links["Binder"].startswith(launch["binderhub_url"].rstrip("/") + "/v2/"), links["Binder"]
    assert binder.path.endswith(f"/{owner_repo}/{branch}"), (
        f"{docname}: Binder must build branch {branch} of {repo_url}: {links['Binder']}")
    assert parse_qs(binder.query)["urlpath"] == [f"{interface}/{path}"], links["Binder"]

    if hub_url:
        query = parse_qs(urlsplit(links["JupyterHub"]).query)
        assert links["JupyterHub"].startswith(hub_url.rstrip("/") + "/hub/"), links["JupyterHub"]
        assert query["repo"] == [repo_url] and query["branch"] == [branch], links["JupyterHub"]
        repo_name = owner_repo.split("/")[-1]
        assert query["urlpath"] == [f"{interface}/{repo_name}/{path}"], links["JupyterHub"]
    if docname in EXERCISES:
        # the student version, at the path the page's download button serves it from
        download = urlsplit(_ipynb_download(seen, docname)).path
        assert download.endswith(f"/_sources/{docname}.ipynb"), download


# ---------------------------------------------------------------------------
# Chapters and search
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("docname", LESSONS)
def test_chapter_states_prerequisites_and_time(visit, docname):
    boxes = visit(docname)["admonitions"]
    assert boxes, f"{docname}: no 'In this chapter' box"
    intro = boxes[0]
    assert re.search(r"Prerequisites?\s*:", intro), (
        f"{docname}: the 'In this chapter' box does not state the prerequisites:\n{intro}")
    assert re.search(r"Time\s*:[^\n]*\d+\s*(minutes?|min|hours?|h)\b", intro), (
        f"{docname}: the 'In this chapter' box does not give a time estimate:\n{intro}")


@pytest.fixture(scope="module")
def search(browser, site_url):
    """Run queries on the book's search page (one page for all of them)."""
    context = browser.new_context(viewport=VIEWPORT)
    guard = Guard(context)
    page = context.new_page()

    def search(query):
        if page.url == "about:blank":
            require_site()
            page.goto(urljoin(site_url, "search.html"), wait_until="load")
            page.wait_for_function("() => typeof Search !== 'undefined' && Search.hasIndex()",
                                   timeout=30_000)
        page.evaluate("q => { document.getElementById('search-results').replaceChildren();"
                      " Search.performSearch(q); }", query)
        page.wait_for_function(
            "() => { const s = document.querySelector('#search-results .search-summary');"
            " return s && /finished|did not match/.test(s.textContent); }", timeout=30_000)
        hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
        assert not guard.problems(), f"the search page reported: {guard.problems()}"
        return [urlsplit(h)._replace(query="", fragment="").geturl() for h in hits]

    yield search
    context.close()


@pytest.mark.parametrize("docname", DOCNAMES)
def test_search_finds_the_page(visit, search, site_url, docname):
    title = visit(docname)["title"].split("\u2014")[0].split(" | ")[0].strip()
    hits = search(title)
    url = urljoin(site_url, quote(f"{docname}.html"))
    assert url in hits, f"searching for {title!r} does not find {docname}: {hits}"


def test_search_box_works(browser, site, site_url):
    """Type a word in the search box of the home page, press Enter, see results."""
    require_site()
    first = (LESSONS or DOCNAMES)[0]
    title = page_file(site, first).read_text().split("<title>")[1].split("</title>")[0]
    word = max(re.findall(r"[A-Za-z]+", title.split("\u2014")[0].split("&#8212;")[0]), key=len)
    context = browser.new_context(viewport=VIEWPORT)
    guard = Guard(context)
    try:
        page = context.new_page()
        page.goto(site_url, wait_until="load")
        # the sidebar's search box (the only one at this width) opens the search dialog; a click
        # that lands before the theme's script has bound it does nothing, so click until it opens
        box = page.locator("#pst-search-dialog input[name='q']")
        for _ in range(5):
            page.locator(".bd-sidebar-primary button.search-button__button").click()
            try:
                box.wait_for(state="visible", timeout=5_000)
                break
            except PlaywrightTimeoutError:
                continue
        box.fill(word)
        box.press("Enter")
        page.wait_for_url(re.compile(r"search\.html\?q=" + word))
        page.wait_for_function(
            "() => /finished/.test((document.querySelector('#search-results .search-summary')"
            " || {}).textContent)", timeout=30_000)
        hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "search-light.png"), full_page=True)
    finally:
        context.close()
    assert not guard.problems(), guard.problems()
    assert any(h.split("#")[0].endswith(f"{first}.html") for h in hits), (
        f"searching for {word!r} does not find {first}: {hits}")
