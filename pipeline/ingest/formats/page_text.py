"""Saved web pages: an article followed by its reader comments, as plain text.

This is what a browser writes with "Save as text" (or what one gets by copying a page):
page furniture ("Skip to main content"), the title, the article, a heading such as
"Reader Feedback", then one block per comment::

    Marg b on August 29, 2018:

    First paragraph of the comment.

    Second paragraph.

    Sharlee (author) on February 08, 2018:

    @Marg b: a reply by the article's author.

The comment list ends at the page's end or at a recommendations section
("Related Articles"). The phrases that recognise furniture, headings and the end of the
comments are data in ``pipeline/data/page_text.yaml``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, NamedTuple


from pipeline.io.rule_files import packaged_file, parse_yaml
from pipeline.errors import InputFormatError, RuleFileError
from pipeline.ingest.lines import universal_lines, without_leading
from pipeline.ingest.records import ColumnMapping, ParsedItem, RawComment, SourceText, ThreadInfo

RULES_FILE = "page_text.yaml"
_RULE_KEYS = (
    "furniture",
    "comments_headings",
    "counted_comments_headings",
    "comments_end",
    "comments_end_prefixes",
    "not_commenter_names",
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:{_MONTH}\s+{_DAY},?\s+\d{{4}}"  # August 29, 2018 / Aug 29 2018
    rf"|{_DAY}\s+{_MONTH},?\s+\d{{4}}"  # 29 August 2018
    r"|\d{4}-\d{2}-\d{2})"  # 2018-08-29
)
_TIME = r"(?:,?\s+(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\b\.?)?)?"
# A header is "<name> on <date>", and a date never contains " on ", so the line is cut
# at its last " on ": the tail must be exactly a date (and an optional colon), the head
# a name of at most 80 characters. Prose such as "... since my fall on August 3, 2012."
# therefore never passes for a header.
_HEADER_DATE = re.compile(rf"(?P<date>{_DATE}{_TIME})(?P<colon>\s*:)?", re.IGNORECASE)
_SPEECH_VERBS = (" said", " says", " wrote", " writes", " commented")
_AUTHOR_MARK = "(author)"
_MAX_NAME_LENGTH = 80
_MAX_HEADER_LENGTH = 200
# A header ends with the year, a time, "am"/"pm" or a colon; checking the last
# character first spares the regex most lines of prose.
_HEADER_LAST_CHARS = frozenset("0123456789:mM.")
_BYLINE = re.compile(r"^[\s•·*\-–—]*author\s*:\s*(?P<name>\S.*?)$", re.IGNORECASE)
_LEADING_BULLETS = " \t•·*-–—"
_TRAILING_COUNT = re.compile(r"\s*\(\d[\d,.]*k?\)$", re.IGNORECASE)
_RAW_LIMIT = 500
_NO_COMMENTS = "no comments found: expected headers like 'Name on August 29, 2018:'"


@dataclass(frozen=True)
class PageTextRules:
    """The phrase lists of ``page_text.yaml``, prepared for fast line lookups.

    Attributes:
        furniture: line keys dropped wherever they appear.
        comments_headings: line keys that start the comment section.
        counted_headings: matches keys such as ``12 comments`` or ``3 thoughts on ...``.
        comments_end: line keys that end the comment list.
        comments_end_prefixes: key prefixes that end the comment list on a short line.
        not_commenter_names: header names that are bylines or date stamps.
        longest_phrase: no line longer than this can be a phrase, so longer lines skip
            the lookups altogether.
    """

    furniture: frozenset[str]
    comments_headings: frozenset[str]
    counted_headings: re.Pattern[str]
    comments_end: frozenset[str]
    comments_end_prefixes: tuple[str, ...]
    not_commenter_names: re.Pattern[str]
    longest_phrase: int

    def is_heading(self, key: str) -> bool:
        return key in self.comments_headings or self.counted_headings.match(key) is not None

    def is_end(self, key: str) -> bool:
        return key in self.comments_end or key.startswith(self.comments_end_prefixes)

    def is_dropped(self, key: str) -> bool:
        return key in self.furniture or self.is_heading(key) or self.is_end(key)

    def is_byline_name(self, name: str) -> bool:
        return self.not_commenter_names.match(name) is not None


@functools.cache
def load_page_text_rules() -> PageTextRules:
    """Read ``pipeline/data/page_text.yaml`` once per process."""
    name, text = packaged_file(RULES_FILE)
    return rules_from_mapping(parse_yaml(name, text), name)


def rules_from_mapping(raw: Any, file_name: str) -> PageTextRules:
    """Validate the YAML content of a page-text rule file and prepare it for lookups.

    Raises:
        RuleFileError: the content is not a mapping of known keys to lists of strings.
    """
    if not isinstance(raw, dict):
        raise RuleFileError(f"{file_name}: expected a mapping of the keys {', '.join(_RULE_KEYS)}")
    for key in raw:
        if key not in _RULE_KEYS:
            raise RuleFileError(
                f"{file_name}: unknown key {key!r}; valid keys are {', '.join(_RULE_KEYS)}"
            )
    phrases = {key: _phrase_list(raw.get(key), key, file_name) for key in _RULE_KEYS}
    keyed = {key: [line_key(phrase) for phrase in values] for key, values in phrases.items()}
    nouns = _alternatives(keyed["counted_comments_headings"])
    bylines = _alternatives(keyed["not_commenter_names"])
    return PageTextRules(
        furniture=frozenset(keyed["furniture"]),
        comments_headings=frozenset(keyed["comments_headings"]),
        counted_headings=re.compile(rf"^\d[\d,.]*k?\s+(?:{nouns})(?:$|\s+on\b)"),
        comments_end=frozenset(keyed["comments_end"]),
        comments_end_prefixes=tuple(keyed["comments_end_prefixes"]),
        not_commenter_names=re.compile(rf"^(?:{bylines})(?:\s|$)", re.IGNORECASE),
        longest_phrase=max((len(phrase) for values in keyed.values() for phrase in values), default=0),
    )


def _alternatives(phrases: list[str]) -> str:
    # "(?!)" never matches, so an empty list switches the rule off instead of matching all.
    return "|".join(re.escape(phrase) for phrase in phrases) or "(?!)"


def _phrase_list(value: Any, key: str, file_name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise RuleFileError(f"{file_name}: key {key!r} must be a list of non-empty strings")
    return value


def line_key(line: str) -> str:
    """The form in which a line is compared with the rule phrases.

    Case, surrounding spaces, leading bullets, a trailing colon and a trailing count in
    brackets do not matter: "• Author:" and "Comments (12)" match "author" and "comments".
    """
    key = line.strip().lstrip(_LEADING_BULLETS)
    if key.endswith(")"):
        key = _TRAILING_COUNT.sub("", key)
    return " ".join(key.rstrip(" :").split()).casefold()


class CommentHeader(NamedTuple):
    """What a comment's header line says."""

    author: str
    posted_at: str
    is_author: bool
    has_colon: bool


def match_comment_header(line: str) -> CommentHeader | None:
    """Recognise a comment header such as ``Marg b on August 29, 2018:``.

    Args:
        line: one line of the page, already stripped.
    """
    if len(line) > _MAX_HEADER_LENGTH or line[-1] not in _HEADER_LAST_CHARS:
        return None
    spaced = " ".join(line.split())  # tabs, no-break and doubled spaces
    folded = spaced.casefold()
    cut = folded.rfind(" on ")
    if cut < 1 or cut > _MAX_NAME_LENGTH + len(_AUTHOR_MARK) + 12:
        return None
    date = _HEADER_DATE.fullmatch(spaced, cut + 4)
    if date is None:
        return None
    name_end = cut
    if folded.endswith(_SPEECH_VERBS, 0, name_end):
        name_end = folded.rindex(" ", 0, name_end)
    is_author = folded.endswith(_AUTHOR_MARK, 0, name_end)
    if is_author:
        name_end -= len(_AUTHOR_MARK)
    name = spaced[:name_end].rstrip()
    if not name or len(name) > _MAX_NAME_LENGTH:
        return None
    return CommentHeader(name, date["date"], is_author, date["colon"] is not None)


@dataclass
class _Comment:
    line_no: int
    header_line: str
    header: CommentHeader
    paragraphs: list[str] = field(default_factory=list)


class _PageReader:
    """Reads a page in one pass: article lines first, then comment blocks, each handed out as
    soon as the next header (or the end of the comments) closes it."""

    def __init__(self, rules: PageTextRules) -> None:
        self.rules = rules
        self.title = ""
        self.body: list[str] = []
        self.byline_author = ""
        self.in_comments = False
        # A page writes every header the same way; once headers with a colon have
        # been seen, a colon-less header-shaped line is prose inside a comment.
        self.headers_have_colons = False
        self.comment_count = 0
        self.author_reply = ""  # the name on the first "(author)" header
        self.current: _Comment | None = None

    def read(self, lines: Iterable[str]) -> Iterator[_Comment]:
        for line_no, raw_line in enumerate(lines, start=1):
            line = raw_line.strip()
            if not line:
                continue
            header = self._header(line)
            if header is not None:
                if self.current is not None:
                    yield self.current
                self._open_comment(line_no, line, header)
                continue
            key = line_key(line) if len(line) <= self.rules.longest_phrase + 8 else ""
            if key and self.current is not None and self.rules.is_end(key):
                break
            if key and not self.in_comments and self.rules.is_heading(key):
                self.in_comments = True
            elif key and self.rules.is_dropped(key):
                continue
            elif self.in_comments:
                self._add_to_comment(line)
            else:
                self._add_to_article(line)
        if self.current is not None:
            yield self.current

    def _header(self, line: str) -> CommentHeader | None:
        header = match_comment_header(line)
        if header is None or self.rules.is_byline_name(header.author):
            return None
        if self.headers_have_colons and not header.has_colon:
            return None
        return header

    def _open_comment(self, line_no: int, line: str, header: CommentHeader) -> None:
        self.in_comments = True
        self.headers_have_colons = self.headers_have_colons or header.has_colon
        self.comment_count += 1
        if header.is_author and not self.author_reply:
            self.author_reply = header.author
        self.current = _Comment(line_no, line, header)

    def _add_to_comment(self, line: str) -> None:
        # Lines between the comments heading and the first header (sign-in prompts,
        # sort menus) belong to no comment.
        if self.current is not None:
            self.current.paragraphs.append(line)

    def _add_to_article(self, line: str) -> None:
        byline = _BYLINE.match(line)
        if byline is not None:
            self.byline_author = self.byline_author or byline["name"]
        elif not self.title:
            self.title = line
        else:
            self.body.append(line)

    def thread_author(self) -> str:
        return self.author_reply or self.byline_author


def _page_lines(source: SourceText) -> Iterator[str]:
    # str.splitlines would also split on form feeds and U+2028, shifting line numbers
    # away from what an editor shows.
    for line in universal_lines(without_leading(source.text_pieces(), "\ufeff")):
        yield line.rstrip("\r\n")


def _raw_comment(comment: _Comment, thread: str) -> RawComment:
    text = "\n".join(comment.paragraphs)
    return RawComment(
        locator=f"line {comment.line_no}",
        text=text,
        author=comment.header.author,
        posted_at=comment.header.posted_at,
        thread=thread,
        is_author=comment.header.is_author,
        raw=f"{comment.header_line}\n{text}"[:_RAW_LIMIT],
    )


def parse_page_text(source: SourceText, columns: ColumnMapping) -> Iterator[ParsedItem]:
    """Yield the article of a saved page as a ThreadInfo, then its comments in page order.

    Args:
        source: the decoded page.
        columns: unused; pages have no columns.

    Raises:
        InputFormatError: the page holds no comment header at all.
    """
    # The thread author may first show up as a "(author)" reply near the end, and the ThreadInfo
    # comes first: a first pass reads the page for it (holding one comment at a time), a second
    # hands out the comments.
    survey = _PageReader(load_page_text_rules())
    for _ in survey.read(_page_lines(source)):
        pass
    if not survey.comment_count:
        raise InputFormatError(source.name, _NO_COMMENTS, line=None)
    if survey.title:
        yield ThreadInfo(
            thread=survey.title,
            title=survey.title,
            author=survey.thread_author(),
            body="\n".join(survey.body),
        )
    for comment in _PageReader(load_page_text_rules()).read(_page_lines(source)):
        yield _raw_comment(comment, survey.title)
