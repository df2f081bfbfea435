"""The report files: escaping, formula neutralising, redaction, determinism, empty inputs, sections."""
from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pandas as pd
import pytest
from rich.console import Console

from pipeline.errors import PipelineError
from pipeline.io.tables import read_table, write_text
from pipeline.report.charts import Segment, effect_bar_svg, share_interval_svg, share_text
from pipeline.report.markdown import escape_markdown
from pipeline.report.show import show_concepts, show_queue, show_themes
from pipeline.report.stage import CONCEPT_COLUMNS, build_report
from tests.report.sample_tables import FORMULA_PAYLOAD, IMG_PAYLOAD, SCRIPT_PAYLOAD

SUMMARY_FILES = [
    "report.html", "summary/concepts.csv", "summary/review_queue.csv", "summary/review_queue.md", "summary/summary.md",
    "summary/themes.csv",
]


def render(tables, **options):
    return build_report(**tables, generated_from=options.pop("generated_from", "fixtures"), **options)


class _Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- the HTML page -------------------------------------------------------------------------------

def test_hostile_comments_are_text_not_markup(tables):
    html = render(tables)["report.html"]
    elements = _Elements(html)
    assert SCRIPT_PAYLOAD not in html and IMG_PAYLOAD not in html
    assert "&lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    assert elements.named("script") == [] and elements.named("img") == []
    assert not [attrs for _, attrs in elements.tags if any(name.startswith("on") for name in attrs)]


def test_page_is_offline_and_forbids_scripts(tables):
    html = render(tables)["report.html"]
    elements = _Elements(html)
    [policy] = [attrs["content"] for attrs in elements.named("meta") if attrs.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert elements.named("link") == [] and "@import" not in html and "url(" not in html
    assert all(attrs["href"].startswith("#") for attrs in elements.named("a"))


def test_every_link_points_at_an_element_of_the_page(tables):
    elements = _Elements(render(tables)["report.html"])
    ids = {attrs["id"] for _, attrs in elements.tags if attrs.get("id")}
    targets = {attrs["href"][1:] for attrs in elements.named("a")}
    assert targets <= ids
    assert {"comment-c1", "comment-c2", "comment-c3", "comment-c4"} <= targets


def test_page_has_charts_interval_quotes_queue_themes_and_reconciliation(tables):
    html = render(tables)["report.html"]
    assert html.count('<svg class="bar"') == 6 and html.count('<svg class="interval"') == 6
    assert "helped 50% (95% CI 10–90%)" in html
    assert 'badge contradicted' in html and "did nothing for me" in html  # the contrary quote
    assert '<span class="badge urgent">urgent</span>' in html
    assert "magnesium / cramps" in html and "<li>bedtime</li>" in html
    assert "8 records read = 6 kept + 1 rejected + 1 duplicates" in html
    assert "also written as mag glycinate" in html


def test_review_queue_is_shown_most_severe_first(tables):
    html = render(tables)["report.html"]
    assert html.index("badge urgent") < html.index("badge medium") < html.index('badge low"')


# --- the CSV tables ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["summary/concepts.csv", "summary/review_queue.csv", "summary/themes.csv"])
def test_no_csv_cell_can_start_a_formula(tables, name):
    for row in csv_rows(render(tables)[name]):
        assert not [cell for cell in row.values() if cell[:1] in ("=", "+", "-", "@")], row


@pytest.mark.parametrize(
    ("name", "column", "expected"),
    [
        ("summary/review_queue.csv", "author", "'" + FORMULA_PAYLOAD),
        ("summary/review_queue.csv", "note", "'@call them"),
        ("summary/concepts.csv", "example", "'-2+3 Red wine at dinner always brings the cramps back, call me on [phone]"),
        ("summary/review_queue.csv", "flag", "personal_data"),  # a plain cell stays as it is
    ],
)
def test_formula_payloads_are_defused_with_an_apostrophe(tables, name, column, expected):
    assert expected in [row[column] for row in csv_rows(render(tables)[name])]


def test_concepts_csv_has_the_contract_columns_first(tables):
    header = render(tables)["summary/concepts.csv"].splitlines()[0].split(",")
    assert header[: len(CONCEPT_COLUMNS)] == CONCEPT_COLUMNS
    assert {"share_low", "share_high", "contradicted", "members"} <= set(header)


def test_csv_files_use_newline_line_ends(tables):
    for name, content in render(tables).items():
        assert "\r" not in content, name


def test_by_thread_is_written_only_when_given(tables):
    assert "summary/by_thread.csv" not in render(tables)
    by_thread = pd.DataFrame({"thread": ["Night cramps"], "concept": ["magnesium"], "role": ["remedy"], "claims": [2]})
    files = render(tables, by_thread=by_thread)
    assert csv_rows(files["summary/by_thread.csv"]) == [{"thread": "Night cramps", "concept": "magnesium", "role": "remedy", "claims": "2"}]
    assert 'id="by-thread"' in files["report.html"]


# --- redaction -----------------------------------------------------------------------------------

@pytest.mark.parametrize("secret", ["marge.h@example.org", "555-201-7788"])
def test_contact_details_are_redacted_everywhere(tables, secret):
    for name, content in render(tables).items():
        assert secret not in content, name


def test_no_redact_keeps_the_text_as_written(tables):
    files = render(tables, redact=False)
    assert "marge.h@example.org" in files["report.html"]
    assert "555-201-7788" in files["summary/review_queue.csv"]
    assert "[email]" not in files["report.html"]


# --- determinism and robustness ------------------------------------------------------------------

def test_same_input_same_bytes(tables):
    assert render(tables) == render({name: table.copy() for name, table in tables.items()})


def test_row_order_of_the_inputs_does_not_matter(tables):
    shuffled = dict(tables)
    for name in ("comments", "claims", "concept_summary", "themes"):
        shuffled[name] = tables[name].sample(frac=1, random_state=7).reset_index(drop=True)
    assert render(shuffled) == render(tables)


def test_inputs_are_not_modified(tables):
    before = {name: table.copy(deep=True) for name, table in tables.items()}
    render(tables)
    for name, table in tables.items():
        pd.testing.assert_frame_equal(table, before[name])


def test_tables_read_back_from_csv_render_the_same(tables):
    as_text = dict(tables)
    as_text["concept_summary"] = tables["concept_summary"].astype(object).where(tables["concept_summary"].notna(), "").astype(str)
    as_text["themes"] = tables["themes"].assign(
        top_terms=tables["themes"]["top_terms"].map("; ".join),
        representative_ids=tables["themes"]["representative_ids"].map("; ".join),
    ).astype(str)
    assert render(as_text)["summary/summary.md"] == render(tables)["summary/summary.md"]
    assert render(as_text)["report.html"] == render(tables)["report.html"]


def test_generated_from_is_the_only_provenance(tables):
    assert render(tables, generated_from="one") != render(tables, generated_from="two")
    assert "Generated from one." in render(tables, generated_from="one")["report.html"]


def test_empty_inputs_render(empty):
    files = render(empty)
    assert sorted(files) == SUMMARY_FILES
    assert files["summary/concepts.csv"].splitlines()[0].split(",")[: len(CONCEPT_COLUMNS)] == CONCEPT_COLUMNS
    assert "No claims of this kind were found." in files["report.html"]
    assert "Nothing to review." in files["summary/summary.md"]
    assert "0 records read = 0 kept + 0 rejected + 0 duplicates" in files["summary/summary.md"]


@pytest.mark.parametrize("name", ["concepts", "review_queue", "themes"])
def test_empty_summary_tables_read_back(empty, tmp_path, name):
    write_text(render(empty)[f"summary/{name}.csv"], tmp_path / f"{name}.csv")
    assert read_table(tmp_path, name).empty


def test_no_flags_at_all_renders(tables):
    tables["flags_queue"] = None
    files = render(tables)
    assert files["summary/review_queue.csv"].startswith("flag_id,comment_id,flag,severity")
    assert "0 items, 0 open" in files["report.html"]


def test_missing_required_column_is_a_pipeline_error(tables):
    tables["concept_summary"] = tables["concept_summary"].drop(columns=["role"])
    with pytest.raises(PipelineError, match="concept_summary table lacks columns role"):
        render(tables)


# --- summary.md ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "heading",
    ["# Reader comments: summary", "## Top remedies", "## Top triggers", "## Review queue (3 items, 2 open)",
     "## Themes", "## Ingest reconciliation"],
)
def test_summary_md_has_every_section(tables, heading):
    assert heading + "\n" in render(tables)["summary/summary.md"]


@pytest.mark.parametrize("heading", ["## Top remedies\n\nNone found.", "## Themes\n\nNone found.", "## Ingest reconciliation"])
def test_summary_md_sections_are_present_when_empty(empty, heading):
    assert heading in render(empty)["summary/summary.md"]


def test_summary_md_tables_keep_their_shape(tables):
    lines = [line for line in render(tables)["summary/summary.md"].splitlines() if line.startswith("| magnesium (contradicted) |")]
    [magnesium] = lines
    assert magnesium.count(" | ") == 10  # eleven cells: no stray pipe from a comment
    assert "50% (95% CI 10–90%)" in magnesium


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("a | b", "a \\| b"),
        ("[click](http://example.invalid)", "\\[click\\](http://example.invalid)"),
        ("<script>x</script>", "\\<script\\>x\\</script\\>"),
        ("**bold** and _it_", "\\*\\*bold\\*\\* and \\_it\\_"),
        ("two\nlines", "two lines"),
        ("salt & vinegar", "salt & vinegar"),
        ("&lt;b&gt; as typed", "&amp;lt;b&amp;gt; as typed"),
    ],
)
def test_escape_markdown(text, expected):
    assert escape_markdown(text) == expected


# --- charts --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("share", "low", "high", "expected"),
    [
        (0.8, 0.49, 0.943, "80% (95% CI 49–94%)"),
        (1.0, 0.207, 1.0, "100% (95% CI 21–100%)"),
        (0.5, None, None, "50%"),
        (None, None, None, "–"),
    ],
)
def test_share_text(share, low, high, expected):
    assert share_text(share, low, high) == expected


def test_effect_bar_widths_follow_the_counts():
    svg = str(effect_bar_svg([Segment("helped", 3), Segment("partial", 0), Segment("no_effect", 1)], scale_max=8))
    assert 'x="0" y="0" width="37.5"' in svg and 'x="37.5" y="0" width="12.5"' in svg
    assert svg.count("<rect") == 2  # an empty segment draws nothing


def test_interval_without_a_share_draws_only_the_axis():
    svg = str(share_interval_svg(None, None, None))
    assert 'aria-label="share unknown"' in svg and "whisker" not in svg


# --- show ----------------------------------------------------------------------------------------

def _printed(function, table, **options) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    function(table, console=console, **options)
    return console.file.getvalue()


def test_show_concepts_filters_by_role_and_limits_rows(tables):
    output = _printed(show_concepts, tables["concept_summary"], role="trigger", top=1)
    assert "alcohol" in output and "coffee" not in output and "magnesium" not in output
    assert "1 of 2 rows" in output


def test_show_concepts_rejects_an_unknown_role(tables):
    with pytest.raises(PipelineError, match="choose from: remedy, trigger, mention"):
        _printed(show_concepts, tables["concept_summary"], role="cure")


def test_show_prints_text_literally(tables):
    queue = tables["flags_queue"].assign(reason="[bold]not markup[/bold]")
    assert "[bold]not markup[/bold]" in _printed(show_queue, queue)


def test_show_queue_and_themes(tables):
    queue = _printed(show_queue, tables["flags_queue"])
    assert queue.index("urgent") < queue.index("medium")
    themes = _printed(show_themes, tables["themes"])
    assert "magnesium / cramps" in themes and "pickle juice, seconds" in themes


def test_renders_the_summary_that_count_concepts_makes(tables):
    """The real concept_summary (nullable string columns, pd.NA cells) renders with no stray NA text."""
    from pipeline.report.counts import count_concepts

    claims = tables["claims"].assign(experiencer="self", hedged=False)
    tables["concept_summary"] = count_concepts(claims, tables["comments"])
    files = render(tables)
    for name, content in files.items():
        assert "<NA>" not in content and "&lt;NA&gt;" not in content, name
    assert "did nothing for me" in files["report.html"]
    assert "| magnesium (contradicted) |" in files["summary/summary.md"]
