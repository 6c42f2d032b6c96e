"""The book's accessibility fixes (a Sphinx extension, wired in ``_config.yml``).

The theme (sphinx-book-theme on pydata-sphinx-theme) and the players that
matplotlib's ``Animation.to_jshtml`` writes leave WCAG 2.1 AA failures in the
built pages, which ``tests/site/test_accessibility.py`` finds. This extension
repairs them:

* in the HTML: each ``<summary>`` in the sidebar that shows a chapter's pages
  holds only a chevron icon; it gets a name, "Pages in <chapter title>" (axe
  rule ``summary-name``);
* ``static/accessible-book.css``: a visible keyboard focus outline on every
  control (the theme removes it from some buttons, clips it around formulas
  and scrolling code, and draws it with too little contrast on dark mode's
  output boxes); search terms highlighted with enough contrast; the sidebar's
  title and search box kept in view;
* ``static/accessible-animation.js``: animation players get a labelled slider
  (axe rule ``label``) and say in words which frame is shown;
* ``static/sidebar-scroll.js``: the sidebar scrolls on load only when the
  current page's link needs it.

The sidebar's layout (the title and the search box in one block, the page's
only search box) is set in ``_config.yml`` with
``_templates/sidebar-title-and-search.html``.
"""
from pathlib import Path

from bs4 import BeautifulSoup

STATIC = Path(__file__).resolve().parent / "static"
CSS_FILES = ["accessible-book.css"]
JS_FILES = ["accessible-animation.js", "sidebar-scroll.js"]


def name_summaries(soup):
    """Give each nameless ``<summary>`` of a table of contents the name of its section.

    ``soup`` is the sidebar's table of contents as the theme builds it (a
    BeautifulSoup tree, changed in place and returned): an ``li`` holds the
    section's link, then ``<details><summary>`` with only an icon in it, then
    the section's pages. Every such summary gets
    ``aria-label="Pages in <link text>"``.
    """
    for summary in soup.select("li > details > summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        link = summary.parent.parent.find("a", recursive=False)
        title = " ".join(link.get_text().split()) if link else ""
        if title:
            summary["aria-label"] = f"Pages in {title}"
    return soup


def _label_toctree(app, pagename, templatename, context, doctree):
    """Wrap the theme's ``generate_toctree_html`` so the sidebar it draws is labelled."""
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "names_summaries", False):
        return

    def generate_toctree_html(kind, *args, **kwargs):
        out = generate(kind, *args, **kwargs)
        if isinstance(out, str):
            return str(name_summaries(BeautifulSoup(out, "html.parser")))
        return name_summaries(out)

    generate_toctree_html.names_summaries = True
    context["generate_toctree_html"] = generate_toctree_html


def _add_static_path(app, config):
    config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("config-inited", _add_static_path)
    # after the theme has put its generate_toctree_html in the context (priority 500)
    app.connect("html-page-context", _label_toctree, priority=900)
    for name in CSS_FILES:
        app.add_css_file(name)
    for name in JS_FILES:
        app.add_js_file(name, loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
