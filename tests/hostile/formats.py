"""Writers for every input format, so a hostile case can be poured into any of them.

Each writer takes a list of records (dicts with ``id``, ``parent``, ``author``, ``date``,
``text`` and ``thread``; JSON writers pass values through untouched, so a record may hold a
number, ``None`` or a list where text is expected) and returns the file's text. The
fixtures are our own words, generated here; nothing is copied from real pages.
"""
from __future__ import annotations

import csv
import io
import json
from html import escape
from typing import Any, Callable

Record = dict[str, Any]

EXTENSIONS = {
    "page": "txt", "html": "html", "csv": "csv", "tsv": "tsv", "json": "json",
    "jsonl": "jsonl", "reddit": "jsonl", "wxr": "xml", "disqus": "xml",
}
FORMATS = tuple(EXTENSIONS)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")


def record(number: int, text: str = "", *, author: str = "", thread: str = "Night cramps", parent: str = "") -> Record:
    """A plausible comment; ``text`` and ``author`` default to ones that vary with ``number``."""
    return {
        "id": f"n{number}",
        "parent": parent,
        "author": author or f"Reader {number}",
        "date": f"2021-{number % 9 + 1:02d}-{number % 27 + 1:02d}",
        "text": text or f"Comment {number}: a warm bath before bed eased my calf cramps on night {number}.",
        "thread": thread,
    }


def page_text(records: list[Record]) -> str:
    blocks = []
    for item in records:
        year, month, day = str(item["date"]).split("-")
        blocks.append(f"{item['author']} on {MONTHS[int(month) - 1]} {int(day)}, {year}:\n\n{item['text']}\n")
    return "Night Cramps in the Calf\n\nWhy calves knot up after a long day.\n\nReader Feedback\n\n" + "\n".join(blocks)


def html_page(records: list[Record]) -> str:
    items = "".join(
        f'<li class="comment depth-1" id="comment-{escape(str(item["id"]))}"><div class="comment-body">'
        f'<div class="comment-author vcard"><cite class="fn">{escape(str(item["author"]))}</cite></div>'
        f'<div class="comment-meta commentmetadata"><a href="#">{escape(str(item["date"]))}</a></div>'
        f"<p>{escape(str(item['text']))}</p></div></li>\n"
        for item in records
    )
    title = escape(str(records[0]["thread"])) if records else "Night cramps"
    return (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><h1>{title}</h1>\n"
        f'<ol class="commentlist">\n{items}</ol></body></html>\n'
    )


def html_page_raw(records: list[Record]) -> str:
    """Like :func:`html_page`, but comment text goes in as markup, unescaped."""
    items = "".join(
        f'<li class="comment depth-1" id="comment-{item["id"]}"><div class="comment-body">'
        f'<div class="comment-author vcard"><cite class="fn">{item["author"]}</cite></div>'
        f'<div class="comment-meta commentmetadata"><a href="#">{item["date"]}</a></div>'
        f"<p>{item['text']}</p></div></li>\n"
        for item in records
    )
    return f"<!DOCTYPE html>\n<html><head><title>Night cramps</title></head><body>\n<ol class=\"commentlist\">\n{items}</ol></body></html>\n"


def delimited(records: list[Record], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["id", "parent", "thread", "author", "date", "text"])
    writer.writerows([r["id"], r["parent"], r["thread"], r["author"], r["date"], r["text"]] for r in records)
    return out.getvalue()


def json_array(records: list[Record]) -> str:
    return json.dumps(records, indent=1, ensure_ascii=False) + "\n"


def json_lines(records: list[Record]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def reddit_lines(records: list[Record]) -> str:
    def reddit(item: Record) -> dict[str, Any]:
        parent = f"t1_{item['parent']}" if item["parent"] else "t3_thread1"
        return {
            "id": item["id"], "author": item["author"], "body": item.get("text"), "created_utc": 1_600_000_000,
            "parent_id": parent, "link_id": "t3_thread1", "subreddit": "crampsupport",
        }

    return "".join(json.dumps(reddit(r), ensure_ascii=False) + "\n" for r in records)


def _cdata(value: Any) -> str:
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wxr(records: list[Record]) -> str:
    comments = "".join(
        "<wp:comment>\n"
        f"<wp:comment_id>{escape(str(item['id']))}</wp:comment_id>\n"
        f"<wp:comment_author>{_cdata(item['author'])}</wp:comment_author>\n"
        f"<wp:comment_date>{escape(str(item['date']))} 08:00:00</wp:comment_date>\n"
        f"<wp:comment_content>{_cdata(item['text'])}</wp:comment_content>\n"
        "<wp:comment_approved>1</wp:comment_approved>\n"
        f"<wp:comment_parent>{escape(str(item['parent'] or 0))}</wp:comment_parent>\n"
        "</wp:comment>\n"
        for item in records
    )
    title = escape(str(records[0]["thread"])) if records else "Night cramps"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>A small blog</title>\n'
        f"<item>\n<title>{title}</title>\n<wp:post_id>9</wp:post_id>\n{comments}</item>\n</channel>\n</rss>\n"
    )


def disqus(records: list[Record]) -> str:
    posts = "".join(
        f'<post dsq:id="{escape(str(item["id"]))}">\n'
        f"<message>{_cdata(item['text'])}</message>\n"
        f"<createdAt>{escape(str(item['date']))}T08:00:00Z</createdAt>\n"
        "<isDeleted>false</isDeleted>\n<isSpam>false</isSpam>\n"
        f"<author><name>{escape(str(item['author']))}</name></author>\n"
        '<thread dsq:id="t1" />\n'
        + (f'<parent dsq:id="{escape(str(item["parent"]))}" />\n' if item["parent"] else "")
        + "</post>\n"
        for item in records
    )
    title = escape(str(records[0]["thread"])) if records else "Night cramps"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        f'<thread dsq:id="t1">\n<link>https://blog.example/night-cramps/</link>\n<title>{title}</title>\n</thread>\n'
        f"{posts}</disqus>\n"
    )


WRITERS: dict[str, Callable[[list[Record]], str]] = {
    "page": page_text,
    "html": html_page,
    "csv": lambda records: delimited(records, ","),
    "tsv": lambda records: delimited(records, "\t"),
    "json": json_array,
    "jsonl": json_lines,
    "reddit": reddit_lines,
    "wxr": wxr,
    "disqus": disqus,
}


def file_name(fmt: str, stem: str = "export") -> str:
    return f"{stem}.{EXTENSIONS[fmt]}"
