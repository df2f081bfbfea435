"""``summary/summary.md``: the top of every table in Markdown, for a README, an e-mail or a ticket.

Commenters' text is escaped so that it shows as written: it can neither break a table (``|``,
line breaks) nor become a link, an image, emphasis or raw HTML in a Markdown viewer.
"""
from __future__ import annotations

import re
from typing import Sequence

from pipeline.report.view import ConceptRow, ReportView

TOP_CONCEPTS = 10
TOP_QUEUE = 10
TOP_THEMES = 8
# Enough to keep text literal inside a table cell: links and images need "[", emphasis "*" or "_",
# code "`", raw HTML "<"; "#", "+", "-" and digits only matter at the start of a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|<>~])")
# An "&" only needs escaping where it would start a character reference such as "&lt;".
_ENTITY_START = re.compile(r"&(?=#?\w+;)")


def render_markdown(view: ReportView) -> str:
    """The summary document for ``view``, ending in a newline."""
    sections = [
        _header(view),
        _concept_section("Top remedies", view.remedies, "helped"),
        _concept_section("Top triggers", view.triggers, "worsened"),
        _queue_section(view),
        _themes_section(view),
        _ingest_section(view),
    ]
    return "\n\n".join(section.rstrip("\n") for section in sections) + "\n"


def escape_markdown(text: str) -> str:
    """Text shown literally in Markdown (inside a table cell too)."""
    flat = " ".join(text.split())
    return _ENTITY_START.sub("&amp;", _MARKDOWN_SPECIAL.sub(r"\\\1", flat))


def _header(view: ReportView) -> str:
    lines = ["# Reader comments: summary", "", f"Generated from {escape_markdown(view.generated_from)}."]
    if view.redacted:
        lines.append("E-mail addresses and phone numbers are replaced by \\[email\\] and \\[phone\\].")
    lines += ["", " · ".join(f"{value} {label}" for label, value in view.overview)]
    return "\n".join(lines)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[bool]) -> str:
    align = ["---:" if is_number else "---" for is_number in numeric]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _concept_section(title: str, rows: Sequence[ConceptRow], measure: str) -> str:
    if not rows:
        return f"## {title}\n\nNone found."
    header = ["concept", "category", "claims", "commenters", "helped", "partial", "no effect", "worsened",
              "questions", f"{measure} (95% CI)", "example"]
    body = [
        [
            escape_markdown(row.concept) + (" (contradicted)" if row.contradicted else ""),
            escape_markdown(row.category),
            row.claims,
            row.commenters,
            row.count("helped"),
            row.count("partial"),
            row.count("no_effect"),
            row.count("worsened"),
            row.questions,
            row.share_label,
            escape_markdown(_example(row)),
        ]
        for row in rows[:TOP_CONCEPTS]
    ]
    numeric = [False, False] + [True] * 7 + [False, False]
    more = f"\n\n{len(rows) - TOP_CONCEPTS} more in concepts.csv." if len(rows) > TOP_CONCEPTS else ""
    return f"## {title}\n\n" + _table(header, body, numeric) + more


def _example(row: ConceptRow) -> str:
    quote = row.supporting[0].text if row.supporting else row.example
    return f"“{quote}”" if quote else ""


def _queue_section(view: ReportView) -> str:
    title = f"## Review queue ({view.queue_total} items, {view.queue_open} open)"
    if not view.queue:
        return f"{title}\n\nNothing to review."
    header = ["severity", "flag", "reason", "evidence", "author", "posted", "status"]
    body = [
        [item.severity, escape_markdown(item.flag), escape_markdown(item.reason), escape_markdown(item.evidence),
         escape_markdown(item.author or "anonymous"), escape_markdown(item.posted_at), item.status]
        for item in view.queue[:TOP_QUEUE]
    ]
    more = f"\n\n{view.queue_total - TOP_QUEUE} more in review_queue.csv." if view.queue_total > TOP_QUEUE else ""
    return f"{title}\n\n" + _table(header, body, [False] * len(header)) + more


def _themes_section(view: ReportView) -> str:
    if not view.themes:
        return "## Themes\n\nNone found."
    body = [
        [escape_markdown(theme.label or theme.theme), theme.size, escape_markdown(", ".join(theme.top_terms)),
         escape_markdown(f"“{theme.representatives[0].text}”" if theme.representatives else "")]
        for theme in view.themes[:TOP_THEMES]
    ]
    return "## Themes\n\n" + _table(["theme", "comments", "top terms", "for example"], body, [False, True, False, False])


def _ingest_section(view: ReportView) -> str:
    total = view.source_total
    equation = (
        f"{total.records} records read = {total.kept} kept + {total.rejected} rejected"
        f" + {total.duplicates} duplicates" + ("" if total.balanced else " (does not add up)")
    )
    rows = [
        [escape_markdown(s.source), escape_markdown(s.format), s.records, s.kept, s.rejected, s.duplicates,
         "yes" if s.balanced else "NO"]
        for s in (*view.sources, total)
    ]
    header = ["file", "format", "read", "kept", "rejected", "duplicates", "adds up"]
    return "## Ingest reconciliation\n\n" + equation + ".\n\n" + _table(header, rows, [False, False, True, True, True, True, False])
