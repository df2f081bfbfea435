"""Text no comment box should send, but some do: the extract stage must survive it.

No exception, no claims made out of garbage, and offsets that still point at the text.
Very long inputs run in a child process with a time limit, so that a slow rule fails the
test instead of hanging the suite.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# A guard against quadratic blow-ups (minutes or hours), not a speed test: generous enough for a
# loaded machine. Includes the ~5 s the child needs to build the pipeline.
LONG_INPUT_SECONDS = 60
HUNDRED_KB = 100_000


def assert_offsets(text: str, rows) -> None:
    for row in rows.itertuples():
        assert text[row.start : row.end] == row.surface, row


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   \n\t  \r\n ", id="whitespace only"),
        pytest.param("🙂🙂🙂 🔥💯", id="emoji only"),
        pytest.param("asdf qwer zxcv uiop", id="keyboard mash"),
        pytest.param("!!!??? ... --- ***", id="punctuation only"),
        pytest.param("1234567890 42 3.14", id="numbers only"),
        pytest.param("\x00\x01\x02\x7f", id="control characters"),
        pytest.param("&nbsp;&amp;&lt;br&gt;", id="leftover entities"),
        pytest.param("lol lol lol haha ok", id="filler words"),
        pytest.param("http://x.example/a?b=c#d https://t.co/xyz", id="bare links"),
        pytest.param("a" * HUNDRED_KB, id="100 KB of one letter"),
        pytest.param("blah " * (HUNDRED_KB // 5), id="100 KB of a repeated filler word"),
    ],
)
def test_garbage_yields_no_claims(claims_of, text):
    rows = claims_of(text)
    assert rows.empty, rows[["surface", "concept", "rule"]].head().to_dict("records")


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        pytest.param("Я пью tonic water, it helps my cramps.", "tonic water", id="Cyrillic and Latin"),
        pytest.param("Το magnesium helps my cramps πολύ.", "magnesium", id="Greek and Latin"),
        pytest.param("香蕉 banana helps my cramps", "banana", id="CJK and Latin"),
        pytest.param("שלום, mustard helps my cramps", "mustard", id="Hebrew and Latin"),
        pytest.param("Mustard helps my cramps 🙂🙂", "mustard", id="trailing emoji"),
        pytest.param(
            "Pickle juice\u200b helps my cramps",
            "pickle juice",
            id="zero-width space",
        ),
        pytest.param("<p>Banana helps my cramps.</p>", "banana", id="paragraph tags"),
        pytest.param("Banana helps<br>my cramps", "banana", id="line-break tag"),
        pytest.param(
            "<b>banana</b> helps",
            "banana",
            id="bold tags",
        ),
        pytest.param(
            "<i>mustard</i> works for my cramps",
            "mustard",
            id="italic tags",
        ),
    ],
)
def test_claims_survive_mixed_scripts_and_markup(claims_of, text, concept):
    rows = claims_of(text)
    assert_offsets(text, rows)
    found = rows[rows["concept"] == concept]
    assert not found.empty, rows[["surface", "concept", "rule"]].to_dict("records")
    assert found.iloc[0]["role"] == "remedy"
    assert found.iloc[0]["effect"] == "helped"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("El plátano me ayuda con los calambres de noche.", id="Spanish"),
        pytest.param("Ich trinke Tonic und die Krämpfe sind weg.", id="German"),
        pytest.param("Je prends du magnésium pour les crampes, ça marche.", id="French"),
        pytest.param("Tomo plátano y jugo de pepinillos cada día.", id="Spanish with take"),
    ],
)
def test_non_english_comments_do_not_invent_concepts(claims_of, text):
    rows = claims_of(text)
    assert_offsets(text, rows)
    assert not rows["discovered"].any(), rows[["surface", "concept", "rule"]].to_dict("records")
    assert not (rows["role"].isin(["remedy", "trigger"]) & (rows["category"] == "medication")).any()


def test_sentences_of_hostile_text_between_real_claims(claims_of):
    text = "🙂🙂 Mustard helps my cramps. \x00 ### <<<>>> Coffee triggers them."
    rows = claims_of(text)
    assert_offsets(text, rows)
    assert set(zip(rows["concept"], rows["role"])) == {("mustard", "remedy"), ("coffee", "trigger")}


_CHILD = """
import json, sys
import pandas as pd
from pipeline.extract.nlp import build_nlp
from pipeline.extract.stage import extract_claims
text = sys.stdin.read()
rows = extract_claims(pd.DataFrame({"comment_id": ["c"], "text": [text]}), nlp=build_nlp())
json.dump(rows[["start", "end", "surface", "concept"]].to_dict("records"), sys.stdout)
"""


def extract_in_child(text: str) -> list[dict]:
    """Claims of ``text`` computed in a child process that must finish in time."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], input=text, capture_output=True, text=True, encoding="utf-8",
        cwd=REPO, timeout=LONG_INPUT_SECONDS, check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        pytest.param(
            "!" * HUNDRED_KB, set(), id="100 KB of one punctuation mark",
        ),
        pytest.param(
            "mustard helps cramps " * (HUNDRED_KB // 21), {"mustard"}, id="100 KB of repeated claim words",
        ),
    ],
)
def test_long_input_finishes_in_time(text, concepts):
    rows = extract_in_child(text)
    assert {row["concept"] for row in rows} == concepts
    assert all(text[row["start"] : row["end"]] == row["surface"] for row in rows)
