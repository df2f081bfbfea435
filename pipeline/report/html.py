"""``report.html``: one self-contained page rendered from a Jinja2 template with autoescaping on.

The template and its stylesheet live in ``pipeline/data/report/`` and are read with
``importlib.resources``. The page loads nothing (inline CSS and SVG only) and its
Content-Security-Policy forbids scripts and remote loads, so even a payload that slipped past
escaping could neither run nor phone home.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from jinja2 import Environment, FunctionLoader, StrictUndefined

from pipeline.report import charts
from pipeline.report.view import ReportView, SEVERITY_ORDER

TEMPLATE = "report.html.j2"
# default-src 'none' forbids scripts, frames, fonts, fetches and remote images; inline <style>
# and data: images are all the page needs.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def render_html(view: ReportView) -> str:
    """The report page for ``view``, ending in a newline."""
    page = _environment().get_template(TEMPLATE).render(
        view=view,
        csp=CONTENT_SECURITY_POLICY,
        charts=charts,
        effects=charts.EFFECTS,
        effect_labels=charts.EFFECT_LABELS,
        severities=SEVERITY_ORDER,
    )
    return page.rstrip("\n") + "\n"


def _load_template(name: str) -> str | None:
    entry = resources.files("pipeline.data").joinpath("report", name)
    return entry.read_text(encoding="utf-8") if entry.is_file() else None


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FunctionLoader(_load_template),
        # Every value the template renders is escaped; only the charts' Markup (built from
        # numbers and fixed effect names) passes through as it is.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
