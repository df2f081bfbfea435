"""Small hand-made tables for the report tests, with hostile comments among the ordinary ones."""
from __future__ import annotations

import pandas as pd

SCRIPT_PAYLOAD = "<script>window.__pwned = 1; alert(1)</script>"
IMG_PAYLOAD = '<img src=x onerror="window.__pwned = 2; alert(2)">'
FORMULA_PAYLOAD = "=HYPERLINK(\"http://example.invalid\",\"click\")"

COMMENTS = [
    # comment_id, source, thread, position, author, posted_at, text
    ("c1", "blog.txt", "Night cramps", 1, "Marge", "2024-03-02",
     "Magnesium glycinate at bedtime stopped my calf cramps within a week. Write me at marge.h@example.org"),
    ("c2", "blog.txt", "Night cramps", 2, "Tom B", "2024-03-03",
     f"I tried magnesium for a month and it did nothing for me. {SCRIPT_PAYLOAD}"),
    ("c3", "blog.txt", "Night cramps", 3, "anonymous", "2024-03-04",
     f"Pickle juice works in seconds, my husband swears by it too. {IMG_PAYLOAD}"),
    ("c4", "blog.txt", "Night cramps", 4, FORMULA_PAYLOAD, "2024-03-05",
     "Red wine at dinner always brings the cramps back, call me on 555-201-7788 if you want to compare notes."),
    ("c5", "forum.csv", "Leg cramps forum", 1, "Ines", "2024-04-01",
     "Does tonic water actually help or is that an old wives tale?"),
    ("c6", "forum.csv", "Leg cramps forum", 2, "Ravi", "2024-04-02",
     "Stretching my calves before bed helped a lot, and cutting back on coffee too."),
]
CLAIMS = [
    # claim_id, comment_id, concept, category, role, effect, negated, question, surface, sentence
    ("k1", "c1", "magnesium", "supplement", "remedy", "helped", False, False, "Magnesium glycinate",
     "Magnesium glycinate at bedtime stopped my calf cramps within a week."),
    ("k2", "c2", "magnesium", "supplement", "remedy", "no_effect", False, False, "magnesium",
     f"I tried magnesium for a month and it did nothing for me. {SCRIPT_PAYLOAD}"),
    ("k3", "c3", "pickle juice", "drink", "remedy", "helped", False, False, "Pickle juice",
     f"Pickle juice works in seconds. {IMG_PAYLOAD}"),
    ("k4", "c4", "alcohol", "drink", "trigger", "worsened", False, False, "Red wine",
     "Red wine at dinner always brings the cramps back, call me on 555-201-7788."),
    ("k5", "c5", "tonic water", "drink", "remedy", "unclear", False, True, "tonic water",
     "Does tonic water actually help or is that an old wives tale?"),
    ("k6", "c6", "stretching", "activity", "remedy", "helped", False, False, "Stretching",
     "Stretching my calves before bed helped a lot, and cutting back on coffee too."),
    ("k7", "c6", "coffee", "drink", "trigger", "partial", False, False, "coffee",
     "Stretching my calves before bed helped a lot, and cutting back on coffee too."),
]


def _summary_row(concept, role, category, claims, commenters, effects, questions, share, low, high,
                 contradicted, example, example_id, contrary=""):
    row = {"concept": concept, "role": role, "category": category, "claims": claims, "commenters": commenters}
    row.update({e: effects.get(e, 0) for e in ("helped", "partial", "no_effect", "worsened", "unclear")})
    row.update({
        "questions": questions,
        "evidence_for": effects.get("helped", 0) + effects.get("partial", 0) + effects.get("worsened", 0) + effects.get("unclear", 0),
        "share": share, "share_low": low, "share_high": high,
        "experiencer_self": claims, "experiencer_family": 0, "experiencer_friend": 0, "experiencer_other": 0,
        "experiencer_general": 0, "first_seen": "2024-03-02", "last_seen": "2024-04-02",
        "contradicted": contradicted, "contrary_claims": 1 if contradicted else 0,
        "example": example, "example_comment_id": example_id, "contrary_example": contrary,
    })
    return row


CONCEPT_SUMMARY = [
    _summary_row("magnesium", "remedy", "supplement", 2, 2, {"helped": 1, "no_effect": 1}, 0, 0.5, 0.095, 0.905,
                 True, "Magnesium glycinate at bedtime stopped my calf cramps. marge.h@example.org", "c1",
                 f"it did nothing for me {SCRIPT_PAYLOAD}"),
    _summary_row("pickle juice", "remedy", "drink", 1, 1, {"helped": 1}, 0, 1.0, 0.207, 1.0, False,
                 f"Pickle juice works in seconds. {IMG_PAYLOAD}", "c3"),
    _summary_row("stretching", "remedy", "activity", 1, 1, {"helped": 1}, 0, 1.0, 0.207, 1.0, False,
                 "Stretching my calves before bed helped a lot", "c6"),
    _summary_row("tonic water", "remedy", "drink", 1, 1, {"unclear": 1}, 1, float("nan"), float("nan"), float("nan"),
                 False, "Does tonic water actually help?", "c5"),
    _summary_row("alcohol", "trigger", "drink", 1, 1, {"worsened": 1}, 0, 1.0, 0.207, 1.0, False,
                 "-2+3 Red wine at dinner always brings the cramps back, call me on 555-201-7788", "c4"),
    _summary_row("coffee", "trigger", "drink", 1, 1, {"partial": 1}, 0, 0.0, 0.0, 0.793, False,
                 "cutting back on coffee too", "c6"),
]
REVIEW_QUEUE = [
    ("f1", "c4", "personal_data", "medium", "The comment gives a phone number.", "555-201-7788", "phone",
     FORMULA_PAYLOAD, "2024-03-05", "Night cramps", "call me on 555-201-7788", "open", "", "", ""),
    ("f2", "c2", "self_promotion", "low", "Contains markup that looks like a script.", SCRIPT_PAYLOAD, "markup",
     "Tom B", "2024-03-03", "Night cramps", SCRIPT_PAYLOAD, "open", "", "", ""),
    ("f3", "c3", "red_flag_symptom", "urgent", "One-sided swelling mentioned.", IMG_PAYLOAD, "symptom",
     "anonymous", "2024-03-04", "Night cramps", IMG_PAYLOAD, "escalated", "lead", "2024-05-01", "@call them"),
]
QUEUE_COLUMNS = ["flag_id", "comment_id", "flag", "severity", "reason", "evidence", "rule", "author", "posted_at",
                 "thread", "text", "status", "decided_by", "decided_at", "note"]


def report_tables() -> dict[str, pd.DataFrame]:
    """The keyword arguments of build_report (but generated_from) as fresh DataFrames."""
    comments = pd.DataFrame(COMMENTS, columns=["comment_id", "source", "thread", "position", "author", "posted_at", "text"])
    claims = pd.DataFrame(CLAIMS, columns=["claim_id", "comment_id", "concept", "category", "role", "effect", "negated",
                                           "question", "surface", "sentence"])
    themes = pd.DataFrame({
        "theme": ["t0", "t1"],
        "label": ["magnesium / cramps", "pickle juice / seconds"],
        "size": [3, 2],
        "top_terms": [["magnesium", "cramps", "bedtime"], ["pickle juice", "seconds", "<b>bold</b>"]],
        "representative_ids": [["c1", "c2"], ["c3"]],
        "k": [2, 2],
    })
    return {
        "comments": comments,
        "claims": claims,
        "concept_summary": pd.DataFrame(CONCEPT_SUMMARY),
        "concepts": pd.DataFrame({"concept": ["magnesium", "pickle juice"],
                                  "members": [["magnesium", "mag glycinate"], ["pickle juice"]],
                                  "claims": [2, 1], "discovered": [False, False], "category": ["supplement", "drink"]}),
        "themes": themes,
        "flags_queue": pd.DataFrame(REVIEW_QUEUE, columns=QUEUE_COLUMNS),
        "sources": pd.DataFrame({"source": ["blog.txt", "forum.csv"], "format": ["text", "csv"],
                                 "records": [5, 3], "kept": [4, 2], "rejected": [1, 0], "duplicates": [0, 1],
                                 "error": ["", ""]}),
        "threads": pd.DataFrame({"thread": ["Night cramps", "Leg cramps forum"], "source": ["blog.txt", "forum.csv"],
                                 "title": ["Night cramps", "Leg cramps forum"], "comments": [4, 2]}),
    }


def empty_tables() -> dict[str, pd.DataFrame]:
    """Every table with no rows (and, for the optional ones, no columns at all)."""
    return {
        "comments": pd.DataFrame(columns=["comment_id", "source", "thread", "position", "author", "posted_at", "text"]),
        "claims": pd.DataFrame(columns=["claim_id", "comment_id", "concept", "role", "effect"]),
        "concept_summary": pd.DataFrame(columns=["concept", "role"]),
        "concepts": pd.DataFrame(),
        "themes": pd.DataFrame(),
        "flags_queue": pd.DataFrame(),
        "sources": pd.DataFrame(columns=["source", "format", "records", "kept", "rejected", "duplicates"]),
        "threads": pd.DataFrame(),
    }
