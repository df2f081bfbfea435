"""Turning a label file of written comments into a ``comments`` table to extract from.

Labels for comments written for the purpose (rather than found on a page) carry their text,
and for replies the parent's text; this builds the table the extract stage expects, with the
parent linked, so a label file can be scored without a separate ingest.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def comments_from_labels(path: Path) -> pd.DataFrame:
    """A ``comments`` table (comment_id, text, parent_id, source, position, author) from a label file."""
    rows: list[dict[str, object]] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        comment_id = str(record.get("id"))
        parent_id = ""
        if record.get("parent_text"):
            parent_id = f"{comment_id}-parent"
            rows.append({"comment_id": parent_id, "text": record["parent_text"], "parent_id": "", "author": ""})
        rows.append({"comment_id": comment_id, "text": record.get("text", ""), "parent_id": parent_id,
                     "author": record.get("author", "")})
    table = pd.DataFrame(rows, columns=["comment_id", "text", "parent_id", "author"])
    table["source"] = Path(path).name
    table["position"] = range(1, len(table) + 1)
    return table
