"""Outputs people open are safe: XSS payloads through the whole pipeline, formulas, personal data.

A corpus of payloads goes in as comment text (a saved page keeps text literally), author
names and thread titles (a CSV export), and concept names (a user lexicon, and discovery of
unknown remedies). ``remedy-miner run`` then writes everything, and:

* report.html opened in headless Chromium: no dialog, no request but the page itself, no
  script ran, no element a payload could have made;
* every summary CSV: no cell a spreadsheet would run as a formula;
* every report output (summary CSV and Markdown, report.html, the review export): no e-mail
  address or phone number from the comments, by default.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.io.tables import read_table
from tests.report.test_browser import DevTools, Page, browser  # noqa: F401  (the fixture)

runner = CliRunner()

XSS = [
    "<script>window.__pwned = 1; alert(1)</script>",
    '<img src=x onerror="window.__pwned = 2; alert(2)">',
    '<a href="javascript:window.__pwned = 3">pickle juice</a>',
    "javascript:alert(4)",
    '<svg onload="window.__pwned = 5"><circle r="9"/></svg>',
    "</style><script>window.__pwned = 6</script>",
    "</title><script>window.__pwned = 7</script>",
    "{{constructor.constructor('window.__pwned = 8')()}}",
    "{% for x in range(9) %}{{ x }}{% endfor %}",
    '<div style="width: expression(alert(10)); background: url(javascript:alert(11))">x</div>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEyKSI+">',
    '<a href="data:text/html,<script>alert(13)</script>">data</a>',
    "\\u003cscript\\u003ewindow.__pwned = 14\\u003c/script\\u003e",
    "&lt;script&gt;window.__pwned = 15&lt;/script&gt;",
    '"><script>window.__pwned = 16</script>',
    "'><img src=x onerror='window.__pwned = 17'>",
    '<iframe src="http://127.0.0.1:9/frame"></iframe>',
    '<link rel="stylesheet" href="http://127.0.0.1:9/style.css">',
    '<meta http-equiv="refresh" content="0; url=http://127.0.0.1:9/">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(18)>",
]
FORMULAS = ["=HYPERLINK(\"http://127.0.0.1:9\",\"open\")", "+1+2", "-3+4", "@SUM(A1:A2)", "\t=1+1", "\r=2+2"]
CONTACTS = {
    "email": ["jane.doe@example.com", "ravi at example dot org"],
    "phone": ["(555) 014-2233", "555-019-8812"],
}


def page_corpus() -> str:
    """A saved page whose comments hold the payloads as text, each with a claim to count."""
    blocks = []
    for number, payload in enumerate(XSS, start=1):
        claim = "Pickle juice stopped my cramps" if number % 2 else "Magnesium did nothing for my cramps"
        contact = CONTACTS["email"][number % 2] if number % 3 == 0 else CONTACTS["phone"][number % 2]
        blocks.append(f"Reader{number} on March {number}, 2022:\n\n{claim}. {payload} Reach me: {contact}\n")
    return "Cramps at Night\n\nWhy calves knot up.\n\nReader Feedback\n\n" + "\n".join(blocks)


def csv_corpus() -> str:
    """A forum export whose author names and thread titles are the payloads and formulas."""
    rows = [["thread", "author", "date", "text"]]
    names = XSS + FORMULAS
    for number, name in enumerate(names, start=1):
        thread = XSS[number % len(XSS)] if number % 2 else FORMULAS[number % len(FORMULAS)]
        text = (
            f"I swear by zapberry tea, it stopped my cramps. {'Quinine helped me too.' if number % 4 == 0 else ''}"
            f" Mail {CONTACTS['email'][0]} or call {CONTACTS['phone'][0]}."
        )
        rows.append([thread, name, f"2022-04-{number % 28 + 1:02d}", text])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def lexicon_file(folder: Path) -> Path:
    """Concepts named by payloads: a user's lexicon is configuration, but its names still get escaped."""
    entries = [
        {"concept": "<img src=x onerror=alert(31)> juice", "category": "drink", "synonyms": ["zapberry tea"]},
        {"concept": "{{7*7}} salts", "category": "supplement", "synonyms": ["pickle juice"]},
    ]
    path = folder / "payload-lexicon.yaml"
    path.write_text(json.dumps({"concepts": entries}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-outputs")
    inputs = folder / "inputs"
    inputs.mkdir()
    (inputs / "cramps-page.txt").write_text(page_corpus(), encoding="utf-8")
    (inputs / "forum-export.csv").write_text(csv_corpus(), encoding="utf-8")
    out = folder / "out"
    result = runner.invoke(
        app, ["run", str(inputs), "--out", str(out), "--lexicon", str(lexicon_file(folder)), "--format", "csv", "-q"]
    )
    assert result.exit_code == 0, result.output
    exported = runner.invoke(app, ["review", "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    return out


def report_outputs(out: Path) -> list[Path]:
    return [out / "report.html", *sorted((out / "summary").iterdir())]


def test_the_payloads_reach_the_report(outputs: Path):
    """Guard against a vacuous pass: the payloads are in the tables the report is built from."""
    comments = read_table(outputs, "comments")
    assert comments["text"].str.contains("<script>window.__pwned = 1", regex=False).any()
    assert comments["author"].isin(XSS).sum() >= 10
    assert comments["thread"].isin(XSS).any() and comments["thread"].isin(FORMULAS[:4]).any()
    concepts = set(read_table(outputs, "claims")["concept"])
    assert "<img src=x onerror=alert(31)> juice" in concepts and "{{7*7}} salts" in concepts
    html = (outputs / "report.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(31)&gt; juice" in html and "{{7*7}} salts" in html


def test_report_runs_nothing_and_fetches_nothing_in_chromium(browser: DevTools, outputs: Path):  # noqa: F811
    page = Page(browser)
    report = outputs / "report.html"
    page.open(report.as_uri())
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert "Page.javascriptDialogOpening" not in browser.methods()
    made = (
        "script, iframe, object, embed, link, meta[http-equiv=refresh], img, math,"
        " [style*=expression], [href^=javascript], [src^=data]"
    )
    assert page.evaluate(f"document.querySelectorAll({json.dumps(made)}).length") == 0
    handlers = (
        "Array.from(document.querySelectorAll('*'))"
        ".filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length"
    )
    assert page.evaluate(handlers) == 0
    assert page.evaluate("document.body.textContent.includes('<script>window.__pwned = 1')")
    requested = [e["params"]["request"]["url"] for e in browser.events if e["method"] == "Network.requestWillBeSent"]
    assert requested == [report.as_uri()]


def test_no_summary_csv_cell_starts_a_formula(outputs: Path):
    csv_files = sorted((outputs / "summary").glob("*.csv"))
    assert {path.name for path in csv_files} >= {"concepts.csv", "review_queue.csv", "by_thread.csv"}
    checked = 0
    for path in csv_files:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, cell)
                    checked += 1
    assert checked > 100
    queue = (outputs / "summary" / "review_queue.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in queue or "'+1+2" in queue  # the formulas are there, neutralised


@pytest.mark.parametrize("kind", sorted(CONTACTS))
def test_contact_details_are_redacted_in_every_report_output(outputs: Path, kind: str):
    assert read_table(outputs, "comments")["text"].str.contains(CONTACTS[kind][0], regex=False).any()
    for path in report_outputs(outputs):
        content = path.read_text(encoding="utf-8")
        for written in CONTACTS[kind]:
            assert written not in content, f"{written!r} in {path.name}"
            assert written.replace(" ", "&nbsp;") not in content
    assert f"[{kind}]" in (outputs / "summary" / "review_queue.csv").read_text(encoding="utf-8")
