"""The built book meets WCAG 2.1 AA: an axe-core audit and the keyboard, in a real browser.

Audit. Every page that ``_toc.yml`` lists, and the search page showing
results, is opened in headless Chromium (Debian's, driven by Playwright) at
1280x900, in light and in dark mode. Everything folded is opened (the
sidebar's chapters, hidden code) and axe-core, the copy that the pinned
``axe-playwright-python`` ships, checks the page against the WCAG 2.0 and 2.1
rules of levels A and AA. Any violation fails, reported with its rule, page,
mode and elements. The launch and download menus are audited open. A planted
page, and a lesson with the fixes of ``_extensions/accessible_book`` undone,
show that the audit fails when it should.

Keyboard. On every page Tab is pressed from the top until focus leaves the
page. The first stop must be the skip link; every control must be reached,
in document order (none skipped, none out of order, no trap); every stop
must be in view, covered by nothing, and drawn with a focus outline that
has 3:1 contrast with what is behind it, and for each kind of control a
screenshot with focus must differ from one without. In dark mode every
control's outline is measured the same way. Then: the sidebar's toggles, the
launch and download menus, search (Ctrl+K) and the animation player are
operated with the keyboard alone.

``make book`` builds the site; without it these tests fail, they never skip.
"""
import io
import json
import re
from urllib.parse import quote, urljoin

import pytest

from helpers.browser import (COLOUR_JS, NO_MOTION_CSS, SITE, Guard, axe_audit,
                             require_site, toc_pages, wait_for_math)

MODES = ("light", "dark")
VIEWPORT = {"width": 1280, "height": 900}
DOCNAMES = [p["docname"] for p in toc_pages()]
LESSONS = [p["docname"] for p in toc_pages() if p["lesson"]]
EXERCISES = [d for d in DOCNAMES if d.startswith("exercises/")]
SEARCH = "search page"
#: WCAG 1.4.11: a focus outline needs 3:1 against the colours next to it.
OUTLINE_CONTRAST = 3.0


def _search_word():
    """A word that the search finds: the longest word of the first lesson's title."""
    page = SITE / f"{(LESSONS or DOCNAMES)[0]}.html"
    if not page.is_file():
        return "gradient"
    title = re.search(r"<title>(.*?)</title>", page.read_text(), re.S).group(1)
    return max(re.findall(r"[A-Za-z]+", re.split(r"\u2014|&#8212;", title)[0]), key=len)


def page_url(site_url, name):
    if name == SEARCH:
        return urljoin(site_url, f"search.html?q={quote(_search_word())}")
    return urljoin(site_url, quote(f"{name}.html"))


def players():
    """Pages with an animation player (matplotlib's ``to_jshtml``), in reading order."""
    return [d for d in DOCNAMES if (SITE / f"{d}.html").is_file()
            and 'class="anim-slider"' in (SITE / f"{d}.html").read_text()]


# ---------------------------------------------------------------------------
# What a page looks like to the keyboard (JavaScript run in the page)
# ---------------------------------------------------------------------------


# Shared by the walk and the dark-mode check: how the focused element is drawn.
DESCRIBE = COLOUR_JS + r"""
  const describe = el => {
    const tag = el.tagName.toLowerCase();
    const name = (el.getAttribute('aria-label') || el.getAttribute('title') || el.textContent || el.value || '')
      .trim().replace(/\s+/g, ' ').slice(0, 50);
    return `<${tag}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}> "${name}"`;
  };
  // the box a reader sees: an element drawn only through its children (the
  // sidebar's <summary>) is as large as they are
  const box = el => {
    let r = el.getBoundingClientRect();
    let [l, t, rr, b] = [r.left, r.top, r.right, r.bottom];
    if (r.width < 1 || r.height < 1) {
      for (const c of el.querySelectorAll('*')) {
        const q = c.getBoundingClientRect();
        if (q.width < 1 || q.height < 1) continue;
        if (rr - l < 1 || b - t < 1) [l, t, rr, b] = [q.left, q.top, q.right, q.bottom];
        else [l, t, rr, b] = [Math.min(l, q.left), Math.min(t, q.top), Math.max(rr, q.right), Math.max(b, q.bottom)];
      }
    }
    return {x: l, y: t, width: rr - l, height: b - t};
  };
  // the focus indicator: an outline, or a box-shadow ring (spread >= 2px), on
  // the element or, for an element drawn through its children, on a child
  const rings = el => {
    const s = getComputedStyle(el), found = [];
    const width = parseFloat(s.outlineWidth);
    const colour = parse(s.outlineColor);
    // the browser's own ring (outline-style auto) is drawn in two colours, dark
    // and light, so it stands out on any background
    if (s.outlineStyle === 'auto') found.push({how: 'the browser\'s focus ring', colour: null});
    else if (s.outlineStyle !== 'none' && width >= 2 && colour && colour[3] > 0)
      found.push({how: `outline ${width}px`, colour, inside: parseFloat(s.outlineOffset) < 0});
    for (const part of (s.boxShadow === 'none' ? [] : s.boxShadow.split(/,(?![^(]*\))/))) {
      const c = parse(part);
      const lengths = part.replace(/rgba?\([^)]*\)/, '').match(/-?[\d.]+px/g) || [];
      const spread = lengths.length >= 4 ? parseFloat(lengths[3]) : 0;
      if (c && c[3] > 0 && spread >= 2)
        found.push({how: `box-shadow ${spread}px`, colour: c, inside: part.includes('inset')});
    }
    return found;
  };
  const indicator = el => {
    let found = rings(el), on = el;
    if (!found.length) {
      for (const c of el.querySelectorAll('*')) { found = rings(c); if (found.length) { on = c; break; } }
    }
    if (!found.length) return {drawn: false, contrast: 0, how: 'none'};
    // what the ring is drawn against: the element itself (inside) or its surroundings
    const best = found.map(f => {
      if (!f.colour) return {drawn: true, contrast: 21, how: f.how};
      const behind = f.inside ? background(on) : background(on.parentElement || on);
      const contrast = ratio(blend(f.colour, behind), behind);
      return {drawn: true, contrast, how: `${f.how} ${rgb(f.colour)} on ${rgb(behind)}`};
    }).sort((a, b) => b.contrast - a.contrast)[0];
    return best;
  };
  // how many sides of the ring are left once the boxes around it that clip
  // their content (overflow other than visible) have cut it
  const ringSides = (el, b) => {
    const s = getComputedStyle(el);
    let out = 0;
    if (s.outlineStyle !== 'none') out = Math.max(out, parseFloat(s.outlineWidth) + parseFloat(s.outlineOffset));
    for (const part of (s.boxShadow === 'none' ? [] : s.boxShadow.split(/,(?![^(]*\))/))) {
      const lengths = part.replace(/rgba?\([^)]*\)/, '').match(/-?[\d.]+px/g) || [];
      if (!part.includes('inset') && lengths.length >= 4) out = Math.max(out, parseFloat(lengths[3]));
    }
    if (out <= 0) return 4;  // drawn inside the element's own box
    let [l, t, r, btm] = [b.x - out, b.y - out, b.x + b.width + out, b.y + b.height + out];
    const bands = {left: [l, b.y, b.x, b.y + b.height], right: [b.x + b.width, b.y, r, b.y + b.height],
                   top: [b.x, t, b.x + b.width, b.y], bottom: [b.x, b.y + b.height, b.x + b.width, btm]};
    const kept = new Set(Object.keys(bands));
    for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
      const ps = getComputedStyle(p);
      if (ps.overflowX === 'visible' && ps.overflowY === 'visible') continue;
      const c = p.getBoundingClientRect();
      const m = ps.overflowX === 'clip' && ps.overflowY === 'clip' ? parseFloat(ps.overflowClipMargin) || 0 : 0;
      for (const [side, [x0, y0, x1, y1]] of Object.entries(bands)) {
        if (x0 < c.left - m - 0.5 || y0 < c.top - m - 0.5 || x1 > c.right + m + 0.5 || y1 > c.bottom + m + 0.5)
          kept.delete(side);
      }
    }
    return kept.size;
  };
  const region = el => {
    const places = [['#pst-skip-link', 'skip link'], ['.bd-sidebar-primary', 'sidebar'],
      ['.bd-header-article', 'page buttons'], ['.bd-article', 'article'],
      ['.prev-next-footer', 'previous/next'], ['.bd-sidebar-secondary', 'contents'],
      ['footer', 'footer']];
    for (const [selector, name] of places) if (el.closest(selector)) return name;
    return 'page';
  };
"""

# Marks every control that Tab should reach, in document order.
MARK_CONTROLS = "() => {" + DESCRIBE + r"""
  const selector = 'a[href], area[href], button, input, select, textarea, summary, iframe, ' +
    'audio[controls], video[controls], [tabindex], [contenteditable]:not([contenteditable="false"])';
  const controls = [];
  const radios = new Set();
  for (const el of document.querySelectorAll(selector)) {
    if (el.tabIndex < 0 || el.disabled || el.type === 'hidden' || el.closest('[inert]')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if (el.type === 'radio' && el.name) {
      // a group of radio buttons is one stop: the checked one, or the first
      const group = `${el.form ? el.form.name || el.form.id : ''}/${el.name}`;
      const checked = Array.from(document.getElementsByName(el.name)).find(r => r.checked && r.form === el.form);
      if (radios.has(group) || (checked && checked !== el)) continue;
      radios.add(group);
    }
    el.dataset.a11yControl = controls.length;
    controls.push(describe(el));
  }
  return controls;
}
"""

# Where focus is now, and how it is drawn; null once focus has left the page.
MEASURE = "() => {" + DESCRIBE + r"""
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const last = window.__a11yLastStop;
  window.__a11yLastStop = el;
  const b = box(el);
  const inView = b.width >= 1 && b.height >= 1 && b.x + b.width > 0 && b.y + b.height > 0
    && b.x < innerWidth && b.y < innerHeight;
  let coveredBy = null;
  if (inView) {
    const x = Math.min(Math.max(b.x + b.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(b.y + b.height / 2, 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    if (hit && !el.contains(hit) && !hit.contains(el)) coveredBy = describe(hit);
  }
  const ring = indicator(el);
  return {
    what: describe(el), tag: el.tagName.toLowerCase(), region: region(el),
    kind: [el.parentElement, el].map(e => `${e.tagName.toLowerCase()}.${Array.from(e.classList)
      .filter(c => !/\d/.test(c)).sort().join('.')}`).join(' > ') + ` in ${region(el)}`,
    ringSides: ring.drawn ? ringSides(el, b) : 0,
    control: el.dataset.a11yControl === undefined ? null : Number(el.dataset.a11yControl),
    same: el === last, after: !last || !!(last.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
    focusVisible: el.matches(':focus-visible'), box: b, inView, coveredBy, ring,
  };
}
"""

# Dark mode: focus every control from script (after a key press, so that it
# counts as keyboard focus) and measure its outline.
OUTLINES = "() => {" + DESCRIBE + r"""
  const out = [];
  for (const el of document.querySelectorAll('[data-a11y-control]')) {
    el.focus({preventScroll: true});
    if (document.activeElement !== el) continue;
    out.push({what: describe(el), focusVisible: el.matches(':focus-visible'), ring: indicator(el)});
  }
  document.activeElement.blur();
  return out;
}
"""

# Open everything folded: the sidebar's chapters, hidden code (<details>) and
# folded admonitions (sphinx-togglebutton's buttons).
EXPAND = r"""() => {
  document.querySelectorAll('details:not([open])').forEach(d => { d.open = true; });
  document.querySelectorAll('button.toggle-button[aria-expanded="false"]').forEach(b => b.click());
}"""


def _focus_is_drawn(page, stop):
    """Pixels that change around the focused element when it loses focus (a screenshot diff)."""
    from PIL import Image, ImageChops

    margin = 8
    b = stop["box"]
    x0, y0 = max(0, b["x"] - margin), max(0, b["y"] - margin)
    x1 = min(VIEWPORT["width"], b["x"] + b["width"] + margin)
    y1 = min(VIEWPORT["height"], b["y"] + b["height"] + margin)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return 0, 0
    clip = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
    focused = page.screenshot(clip=clip, animations="disabled")
    page.evaluate("() => { const e = document.activeElement; e.dataset.a11yRefocus = ''; e.blur(); }")
    plain = page.screenshot(clip=clip, animations="disabled")
    page.evaluate("() => { const e = document.querySelector('[data-a11y-refocus]');"
                  " delete e.dataset.a11yRefocus; e.focus({preventScroll: true}); }")
    diff = ImageChops.difference(Image.open(io.BytesIO(focused)).convert("RGB"),
                                 Image.open(io.BytesIO(plain)).convert("RGB")).convert("L")
    changed = diff.point(lambda v: 255 if v > 24 else 0).histogram()[255]
    # a ring around the element changes about its perimeter's worth of pixels
    return changed, (x1 - x0) + (y1 - y0)


def keyboard_walk(page, screenshots_of):
    """Press Tab from the top of ``page`` until focus leaves it; what each stop looked like.

    ``screenshots_of`` is a set of kinds of control (tag, classes, region)
    whose focus outline was already compared on screen; the walk compares one
    of each new kind and adds it.
    """
    controls = page.evaluate(MARK_CONTROLS)
    page.evaluate("() => { window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur(); }")
    stops, trapped, finished = [], None, False
    for _ in range(len(controls) + 40):
        page.keyboard.press("Tab")
        stop = page.evaluate(MEASURE)
        if stop is None:
            finished = True
            break
        if stop["same"]:
            trapped = stop["what"]
            break
        if stop["kind"] not in screenshots_of and stop["inView"]:
            stop["pixels"] = _focus_is_drawn(page, stop)
            screenshots_of.add(stop["kind"])
        stops.append(stop)
    return {"controls": controls, "stops": stops, "trapped": trapped, "finished": finished}


def walk_problems(walk):
    """Everything wrong with a keyboard walk, as readable lines."""
    problems = []
    stops, controls = walk["stops"], walk["controls"]
    if walk["trapped"]:
        problems.append(f"focus is trapped: Tab stays on {walk['trapped']}")
    elif not walk["finished"]:
        problems.append(f"Tab never leaves the page ({len(stops)} stops for {len(controls)} controls)")
    if not stops or "skip" not in stops[0]["what"].lower():
        problems.append(f"the first Tab stop is not the skip link: {stops[0]['what'] if stops else None}")
    reached = {s["control"] for s in stops if s["control"] is not None}
    problems += [f"never reached with Tab: {what}" for i, what in enumerate(controls) if i not in reached]
    for stop in stops:
        what = f"{stop['what']} ({stop['region']})"
        if not stop["after"]:
            problems.append(f"out of document order: {what} comes after a later control")
        if not stop["inView"]:
            problems.append(f"focused but not in view: {what} at {stop['box']}")
        elif stop["coveredBy"]:
            problems.append(f"focused but covered by {stop['coveredBy']}: {what}")
        if not stop["focusVisible"]:
            problems.append(f"Tab gives focus without :focus-visible: {what}")
        ring = stop["ring"]
        if not ring["drawn"]:
            problems.append(f"no focus outline: {what}")
        elif ring["contrast"] < OUTLINE_CONTRAST:
            problems.append(f"focus outline too faint ({ring['contrast']:.2f}:1, {ring['how']}): {what}")
        elif stop["ringSides"] < 2:
            problems.append(f"focus outline cut off by a box around it ({stop['ringSides']} of 4 sides "
                            f"left, {ring['how']}): {what}")
        if "pixels" in stop:
            changed, needed = stop["pixels"]
            if changed < needed:
                problems.append(f"focus is not visible on screen ({changed} pixels change, "
                                f"{needed} expected): {what}")
    return problems


# ---------------------------------------------------------------------------
# Fixtures: one examination per page and mode (the site and the browser: conftest.py)
# ---------------------------------------------------------------------------

def open_page(browser, site_url, name, mode="light"):
    """A new context and page showing ``name`` (a docname or SEARCH), ready to test."""
    require_site()
    if name != SEARCH and not (SITE / f"{name}.html").is_file():
        pytest.fail(f"{name} is in _toc.yml but not in the site: run make book first", pytrace=False)
    context = browser.new_context(color_scheme=mode, viewport=VIEWPORT, reduced_motion="reduce")
    Guard(context)  # nothing from the network
    page = context.new_page()
    page.goto(page_url(site_url, name), wait_until="load", timeout=60_000)
    wait_for_math(page)
    if name == SEARCH:
        page.wait_for_function(
            "() => /finished|did not match/.test((document.querySelector('#search-results"
            " .search-summary') || {}).textContent)", timeout=30_000)
    page.add_style_tag(content=NO_MOTION_CSS)
    return context, page


@pytest.fixture(scope="module")
def examine(browser, site_url):
    """Audit a page in one mode (cached): the keyboard walk (light mode), the outlines of its
    controls (dark mode), then axe-core with everything folded opened."""
    seen, screenshots_of = {}, set()

    def examine(name, mode):
        if (name, mode) not in seen:
            context, page = open_page(browser, site_url, name, mode)
            try:
                result = {}
                if mode == "light":
                    result["walk"] = keyboard_walk(page, screenshots_of)
                else:
                    page.evaluate(MARK_CONTROLS)
                    page.keyboard.press("Tab")
                    result["outlines"] = page.evaluate(OUTLINES)
                # the audit names elements by the page's own attributes, not the walk's marks
                page.evaluate("() => document.querySelectorAll('[data-a11y-control]')"
                              ".forEach(e => { delete e.dataset.a11yControl; })")
                page.evaluate(EXPAND)
                result["violations"] = axe_audit(page)
            finally:
                context.close()
            seen[name, mode] = result
        return seen[name, mode]

    return examine


# ---------------------------------------------------------------------------
# The audit
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", DOCNAMES + [SEARCH])
def test_no_wcag_violations(examine, name):
    """axe-core finds no WCAG 2.0/2.1 A or AA violation, in light and in dark mode."""
    report = []
    for mode in MODES:
        report += [f"[{name}, {mode} mode] {v}" for v in examine(name, mode)["violations"]]
    assert not report, f"{name}: {len(report)} WCAG violations (axe-core):\n" + "\n".join(report)


def test_audit_finds_planted_violations(browser):
    """The audit can fail: a page with the mistakes the book once had is reported,
    rule by rule and element by element."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_content(
            '<!doctype html><html lang="en"><head><title>Planted</title></head><body><main>'
            '<h1>Planted</h1><ul><li><a href="#a">A chapter</a><details><summary>'
            '<span class="toctree-toggle"></span></summary><a href="#b">Its exercises</a>'
            '</details></li></ul><input type="range" class="anim-slider" min="0" max="20">'
            '<p style="color: #aaa; background: #fff">Faint text</p></main></body></html>')
        problems = "\n".join(axe_audit(page))
    finally:
        context.close()
    for rule, element in (("summary-name", "<summary>"), ("label", 'class="anim-slider"'),
                          ("color-contrast", "Faint text")):
        assert re.search(rf"^{rule} \((serious|critical)\)", problems, re.M), (rule, problems)
        assert element in problems, (element, problems)


def test_audit_finds_what_the_fixes_repair(browser, site_url):
    """Undo the book's fixes on the page with the animation (the sidebar toggles' names,
    the slider's label): the audit reports the rules the fixes are for, on every toggle."""
    pages = players()
    assert pages, "no page of the book has an animation player (chapter 5 has one)"
    context, page = open_page(browser, site_url, pages[0])
    try:
        assert not axe_audit(page, context=".bd-sidebar-primary"), "the sidebar fails as it is"
        toggles = page.locator(".bd-sidebar-primary summary").count()
        page.evaluate("() => document.querySelectorAll('summary[aria-label], input.anim-slider')"
                      ".forEach(e => e.removeAttribute('aria-label'))")
        sidebar = "\n".join(axe_audit(page, context=".bd-sidebar-primary"))
        player = "\n".join(axe_audit(page, context="div.animation"))
    finally:
        context.close()
    assert toggles >= 1 and sidebar.startswith("summary-name (serious)"), sidebar
    assert sidebar.count(": <summary>") == toggles, sidebar
    assert player.startswith("label (critical)") and "anim-slider" in player, player


# ---------------------------------------------------------------------------
# The keyboard
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("docname", DOCNAMES)
def test_tab_reaches_every_control_in_order_with_a_visible_outline(examine, docname):
    walk = examine(docname, "light")["walk"]
    problems = walk_problems(walk)
    assert len(walk["stops"]) >= 10, f"{docname}: only {len(walk['stops'])} Tab stops"
    assert not problems, (f"{docname} ({len(walk['stops'])} Tab stops):\n  "
                          + "\n  ".join(problems[:40]))


@pytest.mark.parametrize("docname", DOCNAMES)
def test_focus_outlines_in_dark_mode(examine, docname):
    outlines = examine(docname, "dark")["outlines"]
    assert len(outlines) >= 10, f"{docname}: only {len(outlines)} controls could be focused"
    problems = [f"no :focus-visible: {o['what']}" for o in outlines if not o["focusVisible"]]
    problems += [f"no focus outline: {o['what']}" for o in outlines if not o["ring"]["drawn"]]
    problems += [f"focus outline too faint ({o['ring']['contrast']:.2f}:1, {o['ring']['how']}): "
                 f"{o['what']}" for o in outlines
                 if o["ring"]["drawn"] and o["ring"]["contrast"] < OUTLINE_CONTRAST]
    assert not problems, f"{docname}, dark mode:\n  " + "\n  ".join(problems[:40])


def test_walk_reports_a_control_without_outline(browser):
    """The walk's checks can fail: a button whose outline is removed, a link that Tab
    reaches first (a positive tabindex), a link covered by a box and a link whose
    outline the box around it cuts off are all reported."""
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.set_content(
            '<!doctype html><html lang="en"><body><a href="#main">Skip to main content</a>'
            '<button>Fine</button><button class="bare" style="outline: none">Bare</button>'
            '<a href="#x" tabindex="3">First by tabindex</a>'
            '<div style="position: relative"><a href="#y">Hidden link</a>'
            '<div style="position: absolute; inset: 0; background: #fff"></div></div>'
            '<p><span style="display: inline-flex; overflow: hidden"><a href="#z" class="clipped"'
            ' style="outline: 3px solid #000">Clipped</a></span></p>'
            '<main id="main"><p>Text</p></main></body></html>')
        problems = "\n".join(walk_problems(keyboard_walk(page, set())))
    finally:
        context.close()
    assert "the first Tab stop is not the skip link" in problems, problems
    assert re.search(r"no focus outline: <button[^>]*> \"Bare\"", problems), problems
    assert re.search(r"focus is not visible on screen .*\"Bare\"", problems), problems
    assert re.search(r"out of document order: <a[^>]*> \"Skip to main content\"", problems), problems
    assert re.search(r"covered by <div[^>]*>.*\"Hidden link\"", problems), problems
    assert re.search(r"cut off by a box around it \(0 of 4 sides.*\"Clipped\"", problems), problems
    assert re.search(r"focus is not visible on screen .*\"Clipped\"", problems), problems
    assert "\"Fine\"" not in problems, problems


def _tab_to(page, test, limit=400):
    """Press Tab until ``test`` (JavaScript, given the focused element) is true; the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({test}); }}"):
            return presses
    pytest.fail(f"Tab never reaches an element with {test} ({limit} presses)")


def test_sidebar_toggles_open_with_the_keyboard(browser, site_url):
    """Enter on a chapter's toggle in the sidebar shows its pages, and Tab goes to them."""
    context, page = open_page(browser, site_url, DOCNAMES[0])
    try:
        _tab_to(page, "el.matches('.bd-sidebar-primary summary') && !el.parentElement.open")
        name = page.evaluate("() => { const summary = document.activeElement;"
                             " summary.parentElement.dataset.a11yOpened = '';"
                             " return summary.getAttribute('aria-label'); }")
        assert name and name.startswith("Pages in "), name
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.parentElement.open")
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('details[data-a11y-opened]')"), (
            f"Tab after opening {name!r} does not go to its pages")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        assert not page.evaluate("() => document.activeElement.parentElement.open")
    finally:
        context.close()


@pytest.mark.parametrize("docname", [d for d in (LESSONS[:1] + EXERCISES[:1])])
def test_launch_and_download_menus_work_from_the_keyboard(browser, site_url, docname):
    """Tab to the launch and download buttons, open each menu with Enter, Tab to its
    first link; the open menus pass the audit in both modes."""
    for mode in MODES:
        context, page = open_page(browser, site_url, docname, mode)
        try:
            for label, link in (("Launch interactive content", "Binder"),
                                ("Download this page", ".ipynb")):
                _tab_to(page, f"el.getAttribute('aria-label') === {json.dumps(label)}")
                page.keyboard.press("Enter")
                menu = page.locator(f"button[aria-label={json.dumps(label)}] + .dropdown-menu")
                assert menu.is_visible(), f"{docname}: Enter does not open the menu {label!r}"
                page.keyboard.press("Tab")
                focused = page.evaluate("() => [document.activeElement.closest('.dropdown-menu') !== null,"
                                        " document.activeElement.textContent.trim()]")
                assert focused[0] and link in focused[1], (
                    f"{docname}: Tab from {label!r} goes to {focused[1]!r}, not into its menu")
                violations = axe_audit(page, context=f"button[aria-label={json.dumps(label)}] + .dropdown-menu")
                assert not violations, f"{docname} ({mode} mode), menu {label!r}:\n" + "\n".join(violations)
                page.keyboard.press("Escape")
                page.evaluate("() => { window.scrollTo(0, 0); document.activeElement.blur(); }")
        finally:
            context.close()


def test_search_opens_from_the_keyboard(browser, site_url):
    """Ctrl+K opens the search box with the cursor in it; Enter shows the results.
    Tab reaches the sidebar's search box, and Enter opens the same search."""
    word = _search_word()
    context, page = open_page(browser, site_url, DOCNAMES[0])
    try:
        _tab_to(page, "el.matches('.bd-sidebar-primary .search-button__button')")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.matches('#pst-search-dialog input[name=q]')"), (
            "Enter on the sidebar's search box does not put the cursor in a search field")
        page.keyboard.press("Escape")
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("Control+k")
        assert page.evaluate("() => document.activeElement.matches('#pst-search-dialog input[name=q]')"), (
            "Ctrl+K does not put the cursor in the search field")
        page.keyboard.type(word)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"search\.html\?q=" + word))
        page.wait_for_function(
            "() => /finished/.test((document.querySelector('#search-results .search-summary')"
            " || {}).textContent)", timeout=30_000)
        assert page.locator("#search-results ul.search li a").count() > 0
    finally:
        context.close()


@pytest.mark.parametrize("docname", players() or [None])
def test_animation_works_without_sight_and_without_a_mouse(browser, site_url, docname):
    """The animation player: a text alternative, named controls, Tab reaches the slider and
    every button in order, the keyboard moves, plays and pauses it, and the frame shown is
    said in words (the slider's value and a status line that screen readers read)."""
    if docname is None:
        require_site()
        pytest.fail("no page of the book has an animation player (chapter 5 has one)")
    context, page = open_page(browser, site_url, docname)
    try:
        player = page.locator("div.animation").first
        alt = player.locator("img").get_attribute("alt") or ""
        assert len(alt) >= 80 and not re.search(r"\.(png|jpe?g|gif)$", alt), (
            f"{docname}: the animation's frames need a text alternative that says what it shows: {alt!r}")
        assert page.get_by_role("img", name=alt).count() == 1
        slider = page.get_by_role("slider", name="Frame")
        assert slider.count() == 1, f"{docname}: no slider named 'Frame'"
        texts = json.loads(player.get_attribute("data-frame-text") or "null")
        frames = int(slider.get_attribute("max")) + 1
        assert texts is None or len(texts) == frames, (len(texts), frames)
        status = player.locator(".anim-status")

        def shown(frame):
            line = f"Frame {frame} of {frames}"
            return line + (f". {texts[frame - 1]}" if texts else "")

        image = lambda: player.locator("img").get_attribute("src")  # noqa: E731
        _tab_to(page, "el.matches('input.anim-slider')")
        assert status.text_content() == shown(1), status.text_content()
        first = image()
        page.keyboard.press("End")
        assert slider.get_attribute("aria-valuetext").startswith(f"Frame {frames} of {frames}")
        assert image() != first and status.text_content() == shown(frames)
        page.keyboard.press("Home")
        page.keyboard.press("ArrowRight")
        assert slider.get_attribute("aria-valuetext").startswith(f"Frame 2 of {frames}")
        assert status.get_attribute("aria-live") == "off", "the slider announces its own value"

        buttons = player.locator("button").evaluate_all("bs => bs.map(b => b.getAttribute('aria-label'))")
        assert "Play" in buttons and "Pause" in buttons and "Next frame" in buttons, buttons
        order = []
        for _ in buttons:
            page.keyboard.press("Tab")
            order.append(page.evaluate("() => document.activeElement.getAttribute('aria-label')"))
            if order[-1] == "Next frame":
                page.keyboard.press("Enter")
                assert status.text_content() == shown(3), status.text_content()
                assert status.get_attribute("aria-live") == "polite", "button presses are not announced"
        assert order == buttons, f"Tab goes through the player's buttons as {order}, not {buttons}"

        # slower (three presses: about a second a frame), from the first frame, then play
        for label, presses in (("Decrease speed", 3), ("First frame", 1), ("Play", 1)):
            page.locator(f"button[aria-label='{label}']").focus()
            for _ in range(presses):
                page.keyboard.press("Enter")
        page.wait_for_function("() => /^Frame [3-9] /.test(document.querySelector('.anim-status').textContent)",
                               timeout=15_000)
        assert status.get_attribute("aria-live") == "off", "every frame is announced while it plays"
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "Pause"
        page.keyboard.press("Enter")
        paused = status.text_content()
        page.wait_for_timeout(1200)
        assert status.text_content() == paused, "Pause does not stop the animation"
        assert status.get_attribute("aria-live") == "polite"
        mode = player.locator("input[type=radio]:checked")
        assert _tab_to(page, "el.type === 'radio'", limit=len(buttons)) <= len(buttons), (
            "Tab does not go on from the buttons to the repetition mode")
        before = mode.get_attribute("value")
        page.keyboard.press("ArrowRight")
        assert mode.get_attribute("value") != before, "the arrow keys do not change the repetition mode"
    finally:
        context.close()
