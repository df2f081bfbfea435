"""Bad input from end to end: what a user sees when a file is empty, broken, hostile or odd.

Every case ends in one of two ways, as the README promises:

* the file as a whole is unusable: exit status 1, ONE line naming the file (and the line
  where known), no traceback, and no output folder written;
* only some records are bad: they become specific ``rejects`` rows, the good records of the
  same file are kept, and ``records read = kept + rejected + duplicates`` holds per file and
  in the printed summary.

All inputs are generated here, in tmp_path.
"""
from __future__ import annotations

import bz2
import codecs
import gzip
import json
import re
import time
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
import zstandard
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.ingest.records import RawSource
from pipeline.ingest.stage import DEFAULT_MAX_COMMENT_CHARS, ingest_sources
from pipeline.io.tables import read_table

runner = CliRunner()

SUMMARY = re.compile(
    r"ingest: (?P<files>\d+) file\(s\), (?P<read>\d+) records read = (?P<kept>\d+) kept"
    r" \+ (?P<rejected>\d+) rejected \+ (?P<duplicates>\d+) duplicates"
)
TOO_LONG = "see --max-comment-chars"
# A little over 5 MB of one commenter going on and on, on a single line.
HUGE_COMMENT = "My calves knot up every single night and I have tried every trick going. " * 70_000

CSV_EXPORT = (
    "id,author,date,text\n"
    "1,Wren,2022-05-01,A glass of water before bed keeps my cramps away.\n"
    "2,Osei,2022-05-02,Stretching against the wall helped more than the magnesium did.\n"
    "3,Ilse,2022-05-03,Nothing has worked for me yet. Any ideas?\n"
)
WXR_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>A small health blog</title>
<item>
<title>Why do my feet cramp at night?</title>
<wp:post_id>9</wp:post_id>
"""
DISQUS_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="t1">
<link>https://blog.example/feet-cramps/</link>
<title>Why do my feet cramp at night?</title>
</thread>
"""


# --------------------------------------------------------------------------- helpers


def ingest(tmp_path: Path, *inputs: Path | str, options: tuple[str, ...] = ()):
    """Run ``remedy-miner ingest`` on ``inputs``; return the result and the output folder."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", *map(str, inputs), "--out", str(out), *options])
    return result, out


def assert_one_line_error(result, out: Path, *fragments: str) -> str:
    """Exit 1, a single line holding every fragment, no traceback, nothing written."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert not out.exists()
    return lines[0]


def assert_reconciled(result, out: Path) -> dict[str, pd.DataFrame]:
    """Exit 0, every file balanced, and the printed summary equal to the tables."""
    assert result.exit_code == 0, result.output
    tables = {name: read_table(out, name) for name in ("comments", "rejects", "sources")}
    sources = tables["sources"]
    assert (sources["records"] == sources["kept"] + sources["rejected"] + sources["duplicates"]).all()
    assert sources["kept"].sum() == len(tables["comments"])
    assert sources["rejected"].sum() == len(tables["rejects"])
    summary = SUMMARY.search(result.output)
    assert summary is not None, result.output
    assert int(summary["files"]) == len(sources)
    assert int(summary["read"]) == sources["records"].sum()
    for column in ("kept", "rejected", "duplicates"):
        assert int(summary[column]) == sources[column].sum()
    return tables


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def wxr_comment(number: int, author: str, text: str) -> str:
    return f"""<wp:comment>
<wp:comment_id>{number}</wp:comment_id>
<wp:comment_author><![CDATA[{author}]]></wp:comment_author>
<wp:comment_date>2021-07-0{number} 08:00:00</wp:comment_date>
<wp:comment_content><![CDATA[{text}]]></wp:comment_content>
<wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent>
</wp:comment>
"""


def disqus_post(number: int, author: str, text: str) -> str:
    return f"""<post dsq:id="p{number}">
<message><![CDATA[<p>{text}</p>]]></message>
<createdAt>2021-07-0{number}T08:00:00Z</createdAt>
<isDeleted>false</isDeleted>
<isSpam>false</isSpam>
<author><name>{author}</name></author>
<thread dsq:id="t1" />
</post>
"""


def page_text(*comments: tuple[str, str]) -> str:
    blocks = "".join(f"{author} on June 1{day}, 2021:\n\n{text}\n\n" for day, (author, text) in enumerate(comments))
    return (
        "Foot Cramps at Night\n\n"
        "Cramps in the arch of the foot often strike after a long day standing.\n\n"
        f"Reader Feedback\n\n{blocks}"
    )


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


# --------------------------------------------------------------------------- whole file unusable



def entity_bomb(root: str, document: str) -> str:
    """Nine entities, each ten of the one before: ``&i;`` would expand to 10**8 words."""
    levels = "".join(f' <!ENTITY {b} "{f"&{a};" * 10}">\n' for a, b in zip("abcdefgh", "bcdefghi"))
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n <!ENTITY a "cramp">\n{levels}]>\n{document}\n'


ENTITY_BOMB_WXR = entity_bomb(
    "rss",
    '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:comment>'
    "<wp:comment_content>&i;</wp:comment_content></wp:comment></item></channel></rss>",
)
ENTITY_BOMB_DISQUS = entity_bomb(
    "disqus", '<disqus xmlns="http://disqus.com"><post><message>&i;</message></post></disqus>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n'
    '<!DOCTYPE disqus [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>\n'
    '<disqus xmlns="http://disqus.com"><post><message>&secret;</message></post></disqus>\n'
)


def truncated(compress: Callable[[bytes], bytes]) -> bytes:
    whole = compress(CSV_EXPORT.encode("utf-8") * 20)
    return whole[: len(whole) // 2]


UNUSABLE_FILES = [
    ("empty.csv", b"", ["file is empty"]),
    ("blank.jsonl", b"  \n\n\t\n", ["file is empty"]),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", ["looks like a binary"]),
    ("dump.json", bytes(range(256)) * 4, ["looks like a binary"]),
    ("scores.csv", "id,user,stars\n1,Wren,5\n2,Osei,3\n", ["no text column", "--text-column"]),
    ("bomb.xml", ENTITY_BOMB_WXR, ["entity"]),
    ("bomb-disqus.xml", ENTITY_BOMB_DISQUS, ["entity"]),
    ("external.xml", EXTERNAL_ENTITY, ["entity"]),
    ("cut.csv.gz", truncated(gzip.compress), ["truncated gzip"]),
    ("cut.csv.bz2", truncated(bz2.compress), ["bz2"]),
    # Regression: zstandard's stream reader ended quietly, so this read as "file is empty".
    ("cut.csv.zst", truncated(zstandard.ZstdCompressor().compress), ["truncated zstd"]),
    ("fake.csv.gz", b"\x1f\x8b this was never gzip", ["gzip"]),
    # Damage before the first record: nothing usable, so the whole file fails, with its line.
    ("cut.json", '[\n  {"text": "Warm socks help, "author": ', ["line 2", "not valid JSON"]),
    ("cut.jsonl", '{"text": "Warm socks\n{"text": \n', ["line 1", "JSON Lines"]),
    ("broken.xml", WXR_HEAD + "<wp:comment><wp:comment_id>1</wp:comment_id>\n</item>", ["line 9", "malformed XML"]),
]


@pytest.mark.parametrize(
    ("name", "content", "fragments"), [pytest.param(*case, id=case[0]) for case in UNUSABLE_FILES]
)
def test_an_unusable_file_is_one_line_naming_it_and_exit_1(tmp_path, name, content, fragments):
    path = write(tmp_path, name, content)
    result, out = ingest(tmp_path, path)
    assert_one_line_error(result, out, str(path), *fragments)


def test_an_entity_bomb_is_refused_without_expanding_it(tmp_path):
    path = write(tmp_path, "bomb.xml", ENTITY_BOMB_WXR)
    started = time.perf_counter()
    result, out = ingest(tmp_path, path)
    assert time.perf_counter() - started < 5
    line = assert_one_line_error(result, out, "entity")
    assert "cramp" not in line


@pytest.mark.parametrize(
    ("make_input", "fragments"),
    [
        (lambda folder: folder / "nowhere" / "export.csv", ["export.csv", "no such file or folder"]),
        (lambda folder: folder / "missing-folder", ["missing-folder", "no such file or folder"]),
        (lambda folder: write(folder, "notes.docx", b"PK").parent, ["folder holds no supported file"]),
        (lambda folder: write(folder, "README.md", "# readme only\n").parent, ["folder holds no supported file"]),
        (lambda folder: write(folder, ".hidden.csv", CSV_EXPORT).parent, ["folder holds no supported file"]),
    ],
)
def test_a_missing_path_or_a_folder_without_inputs_is_one_line_and_exit_1(tmp_path, make_input, fragments):
    folder = tmp_path / "inputs"
    folder.mkdir()
    path = make_input(folder)
    result, out = ingest(tmp_path, path)
    assert_one_line_error(result, out, *fragments)


def test_one_bad_file_stops_the_run_and_names_that_file(tmp_path):
    write(tmp_path, "a-good.csv", CSV_EXPORT)
    bad = write(tmp_path, "b-empty.csv", b"")
    result, out = ingest(tmp_path, tmp_path)
    assert_one_line_error(result, out, str(bad), "file is empty")


# --------------------------------------------------------------------------- damaged records


@pytest.mark.parametrize("bad_line", [1, 2, 3])
def test_a_truncated_jsonl_line_is_rejected_with_its_line_and_the_others_are_kept(tmp_path, bad_line):
    lines = [
        json.dumps({"author": "Wren", "date": "2022-05-01", "text": "Tonic water did nothing for me."}),
        json.dumps({"author": "Osei", "date": "2022-05-02", "text": "A warm bath before bed helps."}),
        json.dumps({"author": "Ilse", "date": "2022-05-03", "text": "Bananas, every night, and fewer cramps."}),
    ]
    lines[bad_line - 1] = lines[bad_line - 1][:30]
    path = write(tmp_path, "reviews.jsonl", "\n".join(lines))
    result, out = ingest(tmp_path, path)
    tables = assert_reconciled(result, out)
    assert len(tables["comments"]) == 2
    [reject] = tables["rejects"].to_dict("records")
    assert reject["locator"] == f"line {bad_line}"
    assert reject["raw"] == lines[bad_line - 1]


def test_a_truncated_json_array_keeps_the_records_before_the_damage(tmp_path):
    records = [
        {"author": "Wren", "text": "Pickled gherkins at bedtime, odd but it works."},
        {"author": "Osei", "text": "Raising the foot of the bed helped me."},
        {"author": "Ilse", "text": "I switched to decaf and the cramps eased."},
    ]
    text = json.dumps(records, indent=2)
    cut = text[: text.index("switched")]
    path = write(tmp_path, "export.json", cut)
    result, out = ingest(tmp_path, path)
    tables = assert_reconciled(result, out)
    assert tables["comments"]["author"].tolist() == ["Wren", "Osei"]
    [reject] = tables["rejects"].to_dict("records")
    assert reject["locator"] == "record 3"
    assert reject["reason"].startswith(f"malformed JSON at line {cut.count(chr(10)) + 1} ")
    assert "Ilse" in reject["raw"]


def test_malformed_wxr_keeps_the_comments_before_the_damage(tmp_path):
    # Regression: a post's comments all sit in one <item>, and damage inside it cost them
    # all; with a single post the whole file failed.
    good = wxr_comment(1, "Wren", "Magnesium spray took the edge off.") + wxr_comment(
        2, "Osei", "Mine went after I cut back on coffee."
    )
    broken = wxr_comment(3, "Ilse", "Cold floor, toes up, works.").replace("</wp:comment_author>", "</wp:author>")
    text = WXR_HEAD + good + broken + wxr_comment(4, "Tova", "Never read.") + "</item></channel></rss>\n"
    path = write(tmp_path, "blog.xml", text)
    result, out = ingest(tmp_path, path)
    tables = assert_reconciled(result, out)
    assert tables["comments"]["author"].tolist() == ["Wren", "Osei"]
    [reject] = tables["rejects"].to_dict("records")
    assert reject["locator"] == f"line {line_of(text, '</wp:author>')}"
    assert "malformed XML" in reject["reason"] and "rest of the file" in reject["reason"]
    assert "Ilse" in reject["raw"]


def test_malformed_disqus_keeps_the_posts_before_the_damage(tmp_path):
    good = disqus_post(1, "Wren", "Magnesium spray took the edge off.") + disqus_post(2, "Osei", "Quinine helped my dad.")
    # An unescaped ampersand in a message outside CDATA breaks the XML.
    broken = disqus_post(3, "Ilse", "x").replace(
        "<message><![CDATA[<p>x</p>]]></message>", "<message>Salt & vinegar crisps</message>"
    )
    text = DISQUS_HEAD + good + broken + disqus_post(4, "Tova", "Never read.") + "</disqus>\n"
    path = write(tmp_path, "disqus.xml", text)
    result, out = ingest(tmp_path, path)
    tables = assert_reconciled(result, out)
    assert tables["comments"]["author"].tolist() == ["Wren", "Osei"]
    [reject] = tables["rejects"].to_dict("records")
    assert reject["locator"] == f"line {line_of(text, 'Salt & vinegar')}"
    assert "malformed XML" in reject["reason"]


# --------------------------------------------------------------------------- a 5 MB comment


def huge_csv() -> str:
    return CSV_EXPORT + f'4,Ravi,2022-05-04,"{HUGE_COMMENT}"\n'


def huge_jsonl() -> str:
    rows = [
        {"author": "Wren", "text": "A glass of water before bed keeps my cramps away."},
        {"author": "Ravi", "text": HUGE_COMMENT},
        {"author": "Osei", "text": "Stretching against the wall helped more than the magnesium did."},
    ]
    return "\n".join(json.dumps(row) for row in rows) + "\n"


def huge_page() -> str:
    return page_text(
        ("Wren", "A glass of water before bed keeps my cramps away."),
        ("Ravi", HUGE_COMMENT),
        ("Osei", "Stretching against the wall helped more than the magnesium did."),
    )


@pytest.mark.parametrize(
    ("name", "make_text", "kept", "locator"),
    [
        ("export.csv", huge_csv, 3, "row 5"),
        ("export.jsonl", huge_jsonl, 2, "line 2"),
        ("page.txt", huge_page, 2, "line 11"),
    ],
)
def test_a_5_mb_comment_is_rejected_quickly_and_the_others_are_kept(tmp_path, name, make_text, kept, locator):
    text = make_text()
    assert len(text.encode("utf-8")) > 5_000_000
    path = write(tmp_path, name, text)
    started = time.perf_counter()
    result, out = ingest(tmp_path, path)
    elapsed = time.perf_counter() - started
    tables = assert_reconciled(result, out)
    assert elapsed < 10, f"ingesting one 5 MB comment took {elapsed:.1f} s"
    assert len(tables["comments"]) == kept
    assert "Ravi" not in tables["comments"]["author"].tolist()
    [reject] = tables["rejects"].to_dict("records")
    assert reject["locator"] == locator
    assert TOO_LONG in reject["reason"] and f"{DEFAULT_MAX_COMMENT_CHARS:,}" in reject["reason"]
    assert len(reject["raw"]) <= 500


def test_max_comment_chars_moves_the_limit(tmp_path):
    path = write(tmp_path, "export.csv", CSV_EXPORT)
    result, out = ingest(tmp_path, path, options=("--max-comment-chars", "45"))
    tables = assert_reconciled(result, out)
    assert tables["comments"]["author"].tolist() == ["Ilse"]
    assert tables["rejects"]["locator"].tolist() == ["row 2", "row 3"]
    assert tables["rejects"]["reason"].str.contains("over the 45 limit").all()


# --------------------------------------------------------------------------- encodings and compression

ACCENTED_CSV = "author,text\nRenée,Crème fraîche? No – a café au lait at night made my cramps worse.\n"


@pytest.mark.parametrize(
    ("encode", "label"),
    [
        (lambda text: text.encode("utf-16"), "utf-16"),
        (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "utf-16"),
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8-sig"),
        (lambda text: text.encode("cp1252"), "cp1252 (fallback)"),
    ],
)
def test_csv_in_other_encodings_is_decoded_and_the_encoding_recorded(tmp_path, encode, label):
    path = write(tmp_path, "export.csv", encode(ACCENTED_CSV))
    result, out = ingest(tmp_path, path)
    tables = assert_reconciled(result, out)
    assert tables["comments"][["author", "text"]].values.tolist() == [
        ["Renée", "Crème fraîche? No – a café au lait at night made my cramps worse."]
    ]
    assert tables["sources"]["encoding"].tolist() == [label]


@pytest.mark.parametrize(
    ("suffix", "compress", "label"),
    [
        (".gz", gzip.compress, "gzip"),
        (".bz2", bz2.compress, "bz2"),
        (".zst", zstandard.ZstdCompressor().compress, "zstd"),
    ],
)
@pytest.mark.parametrize("name", ["export.csv", "export.jsonl"])
def test_compressed_inputs_are_read_transparently(tmp_path, suffix, compress, label, name):
    content = CSV_EXPORT if name.endswith(".csv") else huge_jsonl().replace(HUGE_COMMENT, "Calf raises in the morning.")
    path = write(tmp_path, name + suffix, compress(content.encode("utf-8")))
    result, out = ingest(tmp_path, tmp_path)
    tables = assert_reconciled(result, out)
    assert len(tables["comments"]) == 3
    [source] = tables["sources"].to_dict("records")
    assert (source["source"], source["compression"], source["format"]) == (
        path.as_posix(), label, name.rsplit(".", 1)[1]
    )


def test_every_frame_of_a_multi_frame_zst_is_read(tmp_path):
    # A .zst file may hold several frames (pzstd output, concatenated archives).
    header, *rows = CSV_EXPORT.splitlines(keepends=True)
    compressor = zstandard.ZstdCompressor()
    frames = compressor.compress((header + rows[0]).encode()) + compressor.compress("".join(rows[1:]).encode())
    write(tmp_path, "export.csv.zst", frames)
    result, out = ingest(tmp_path, tmp_path)
    tables = assert_reconciled(result, out)
    assert tables["comments"]["author"].tolist() == ["Wren", "Osei", "Ilse"]


# --------------------------------------------------------------------------- the same thing twice


def test_the_same_file_given_twice_is_read_once(tmp_path):
    path = write(tmp_path, "export.csv", CSV_EXPORT)
    result, out = ingest(tmp_path, path, path, tmp_path, tmp_path / "." / "export.csv")
    tables = assert_reconciled(result, out)
    assert len(tables["sources"]) == 1
    assert len(tables["comments"]) == 3
    assert tables["sources"]["duplicates"].tolist() == [0]


def write_the_same_comment_twice(folder: Path) -> None:
    """Wren's comment is in both files; the JSON file is read first, so its copy is kept."""
    write(folder, "app.json", json.dumps([
        {"article": "Foot cramps", "user": {"name": "Wren"}, "published": "2022-05-01",
         "review": "<p>Warm socks in bed  stopped mine.</p>"},
        {"article": "Foot cramps", "user": {"name": "Tova"}, "published": "2022-05-05",
         "review": "No luck with socks."},
    ]))
    write(folder, "forum.csv", (
        "id,parent,thread,author,date,text\n"
        "f1,,Foot cramps,Wren,2022-05-01,Warm socks in bed stopped mine.\n"
        "f2,f1,Foot cramps,Osei,2022-05-02,Which socks? Mine come after long runs.\n"
    ))


def test_the_same_comment_in_two_files_is_one_duplicate(tmp_path):
    write_the_same_comment_twice(tmp_path)
    result, out = ingest(tmp_path, tmp_path)
    tables = assert_reconciled(result, out)
    assert "4 records read = 3 kept + 0 rejected + 1 duplicates" in result.output
    assert tables["sources"]["duplicates"].tolist() == [0, 1]
    assert sorted(tables["comments"]["author"]) == ["Osei", "Tova", "Wren"]


def test_a_reply_to_a_duplicated_comment_points_at_the_kept_copy(tmp_path):
    # Regression: the parent was only looked up among kept rows, so Osei's reply lost it.
    write_the_same_comment_twice(tmp_path)
    result, out = ingest(tmp_path, tmp_path)
    comments = assert_reconciled(result, out)["comments"].set_index("author")
    assert comments.loc["Osei", "parent_id"] == comments.loc["Wren", "comment_id"]
    assert Path(comments.loc["Wren", "source"]).name == "app.json"


def test_the_first_file_given_keeps_a_duplicated_comment():
    line = b"thread,author,date,text\nFoot cramps,Wren,2022-05-01,Warm socks in bed stopped mine.\n"
    result = ingest_sources([RawSource(name, line, logical_name=name) for name in ("b.csv", "a.csv")])
    assert result.sources[["source", "kept", "duplicates"]].values.tolist() == [["b.csv", 1, 0], ["a.csv", 0, 1]]
    assert result.reconciliation == {"read": 2, "kept": 1, "rejected": 0, "duplicates": 1}


# --------------------------------------------------------------------------- --keep-going


def test_keep_going_turns_each_unusable_file_into_one_reject_and_keeps_the_rest(tmp_path):
    write(tmp_path, "a-good.csv", CSV_EXPORT)
    write(tmp_path, "b-binary.json", bytes(range(256)))
    write(tmp_path, "c-cut.csv.gz", truncated(gzip.compress))
    write(tmp_path, "d-bomb.xml", ENTITY_BOMB_WXR)
    result, out = ingest(tmp_path, tmp_path, options=("--keep-going",))
    tables = assert_reconciled(result, out)
    assert "4 file(s), 6 records read = 3 kept + 3 rejected + 0 duplicates" in result.output
    rejects = tables["rejects"]
    assert rejects["locator"].tolist() == ["file"] * 3
    assert [Path(source).name for source in rejects["source"]] == ["b-binary.json", "c-cut.csv.gz", "d-bomb.xml"]
    assert rejects["reason"].str.contains("binary|truncated|entity").all()
    errors = tables["sources"].set_index("source")["error"]
    assert (errors != "").sum() == 3


def test_without_keep_going_the_same_folder_fails_and_writes_nothing(tmp_path):
    write(tmp_path, "a-good.csv", CSV_EXPORT)
    write(tmp_path, "b-binary.json", bytes(range(256)))
    result, out = ingest(tmp_path, tmp_path)
    assert_one_line_error(result, out, "b-binary.json", "binary")
