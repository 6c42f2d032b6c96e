"""Math in feedback pages and in formgrader, typeset without the internet.

nbgrader's feedback and formgrader pages load MathJax 2 from a CDN (the
``mathjax()`` macro of nbconvert's templates): offline, every formula stays raw
TeX.  The course uses the MathJax 3 that the ``sphinx-mathjax-offline`` package
installs with the course tools: ``tex-svg-full.js``, one file that needs no
fonts (it draws formulas as SVG).

* feedback: :func:`localise` replaces the CDN script of a page by :func:`page_script`
  and :func:`install` copies the MathJax file next to the page, so a student's
  zip opens offline;
* formgrader: :func:`formgrader_templates` writes an nbconvert template folder
  whose ``mathjax()`` macro loads MathJax from the Jupyter server's ``/static/``
  (``ServerApp.extra_static_paths``: :func:`source_folder`); ``python -m grading
  formgrader`` starts JupyterLab with both.

The configuration keeps what nbconvert's MathJax 2 settings did: ``$...$`` and
``\\(...\\)`` inline, ``$$...$$`` and ``\\[...\\]`` displayed, AMS numbering.
"""
import json
import re
import shutil
from pathlib import Path

from .errors import GradingError

PACKAGE = "sphinx-mathjax-offline"
SCRIPT = "tex-svg-full.js"
FOLDER = "mathjax"          # next to each feedback page, and under the server's /static/
CDN = re.compile(r'<script[^>]*\bsrc="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[^"]*"[^>]*>\s*</script>')
CONFIG = {
    "tex": {"inlineMath": [["$", "$"], ["\\(", "\\)"]], "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
            "processEscapes": True, "processEnvironments": True, "tags": "ams"},
    "svg": {"fontCache": "global"},
}


def source_folder():
    """The folder that holds ``mathjax/tex-svg-full.js`` in the installed package."""
    from importlib import metadata

    try:
        distribution = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        raise GradingError(f"{PACKAGE} is not installed (it is one of the course tools: make venv)") from None
    for path in distribution.files or ():
        if path.name == SCRIPT and path.parent.name == FOLDER:
            return Path(distribution.locate_file(path)).parent.parent
    raise GradingError(f"{PACKAGE} has no {FOLDER}/{SCRIPT}")


def page_script(src):
    """The HTML that configures MathJax 3 and loads it from ``src``."""
    return (f"<script>window.MathJax = {json.dumps(CONFIG)};</script>\n"
            f'<script src="{src}" async></script>')


def localise(page):
    """A feedback page's HTML with MathJax loaded from ``mathjax/`` beside it (None if it loads none)."""
    if not CDN.search(page):
        return None
    return CDN.sub(lambda _: page_script(f"{FOLDER}/{SCRIPT}"), page, count=1)


def install(folder):
    """Copy MathJax into ``folder/mathjax/`` (once)."""
    target = Path(folder) / FOLDER / SCRIPT
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_folder() / FOLDER / SCRIPT, target)


def formgrader_templates(folder):
    """Write a Jupyter data folder (for ``JUPYTER_PATH``) whose nbconvert ``mathjax()`` macro loads
    MathJax from the server's ``static/mathjax/``; returns it."""
    macro = Path(folder) / "nbconvert" / "templates" / "base" / "mathjax.html.j2"
    macro.parent.mkdir(parents=True, exist_ok=True)
    loader = (
        "<script>\n"
        f"window.MathJax = {json.dumps(CONFIG)};\n"
        "document.addEventListener('DOMContentLoaded', function () {\n"
        "  // formgrader links its own style sheet below the server's base URL\n"
        "  var link = document.querySelector('link[href*=\"/formgrader/static/\"]');\n"
        "  var base = link ? link.href.split('formgrader/static/')[0] : '/';\n"
        "  var script = document.createElement('script');\n"
        f"  script.src = base + 'static/{FOLDER}/{SCRIPT}';\n"
        "  document.head.appendChild(script);\n"
        "});\n"
        "</script>\n")
    macro.write_text("{#- written by python -m grading formgrader: MathJax from this machine -#}\n"
                     "{%- macro mathjax(url=None) -%}\n" + loader + "{%- endmacro %}\n", encoding="utf-8")
    return Path(folder)


def formgrader_command(course, port, extra=()):
    """(command, environment) that start JupyterLab on the course root with formgrader's math offline."""
    import os
    import sys

    templates = formgrader_templates(course.output / "formgrader")
    paths = [str(templates), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    environment = {**os.environ, "JUPYTER_PATH": os.pathsep.join(paths)}
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--ServerApp.root_dir={course.root}",
               f"--ServerApp.extra_static_paths={json.dumps([str(source_folder())])}", *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")     # as `make lab` does: containers often run as root
    return command, environment
