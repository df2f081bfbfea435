"""The HTML page parser: every comment markup family, thread metadata, safety, fallbacks."""
from __future__ import annotations

import copy
import dataclasses

import pytest
import yaml
from importlib import resources

from pipeline.errors import InputFormatError, RuleFileError
from pipeline.ingest.formats.html_markup import RULES_FILE, markup_from_mapping
from pipeline.ingest.formats.html_page import html_page_to_text, parse_html_page
from pipeline.ingest.normalize import normalize_text
from pipeline.ingest.records import ColumnMapping, RawComment, RecordReject, SourceText, ThreadInfo
from tests.conftest import REPO

SAMPLE = REPO / "data" / "raw" / "night-cramps-magnesium.html"

WORDPRESS_PAGE = """<!DOCTYPE html>
<html><head><title>Cramp remedies | Small Blog</title></head>
<body><h1>Cramp remedies</h1>
<ol class="commentlist">
  <li class="comment even depth-1" id="comment-11">
    <div id="div-comment-11" class="comment-body">
      <div class="comment-author vcard"><cite class="fn">Mavis</cite> <span class="says">says:</span></div>
      <div class="comment-meta commentmetadata"><a href="#comment-11">March 3, 2019 at 10:12 pm</a>
        <a class="comment-edit-link" href="#">(Edit)</a></div>
      <p>Pickle juice stopped my cramp within a minute.</p>
      <p>I keep a jar by the bed now.</p>
      <div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
    </div>
    <ul class="children">
      <li class="comment bypostauthor depth-2" id="comment-12">
        <div id="div-comment-12" class="comment-body">
          <div class="comment-author vcard"><cite class="fn">Site Owner</cite></div>
          <div class="comment-meta commentmetadata"><a href="#comment-12">March 4, 2019 at 8:00 am</a></div>
          <p>Glad it worked, Mavis.</p>
        </div>
        <ul class="children">
          <li class="comment depth-3" id="comment-13">
            <div id="div-comment-13" class="comment-body">
              <div class="comment-author vcard"><cite class="fn">Len</cite></div>
              <div class="comment-meta commentmetadata"><a href="#comment-13">March 5, 2019 at 1:30 pm</a></div>
              <p>Pickle juice did nothing for me.</p>
            </div>
          </li>
        </ul>
      </li>
    </ul>
  </li>
  <li class="pingback" id="comment-14"><div class="comment-body">Pingback: <a href="#">Another blog</a></div></li>
</ol>
</body></html>
"""

DISQUS_PAGE = """<html><head><meta property="og:title" content="Why calves cramp"></head><body>
<div id="disqus_thread"><ul id="post-list" class="post-list">
  <li class="post" id="post-5001">
    <div class="post-content">
      <header class="post-byline"><span class="author"><a href="#">wendy_r</a></span>
        <span class="post-meta"><a class="time-ago" href="#" title="Tuesday, March 5, 2019 9:14 PM">5 years ago</a></span>
      </header>
      <div class="post-body-inner"><div class="post-message"><p>A teaspoon of yellow mustard works for me.</p></div></div>
      <footer class="post-footer"><a class="reply">Reply</a></footer>
    </div>
    <ul class="children">
      <li class="post" id="post-5002">
        <div class="post-content">
          <header class="post-byline"><span class="author"><a href="#">kevmo</a></span>
            <a class="time-ago" href="#" title="Wednesday, March 6, 2019 7:02 AM">5 years ago</a></header>
          <div class="post-message"><p>What brand of mustard?</p></div>
        </div>
      </li>
    </ul>
  </li>
</ul></div>
</body></html>
"""

MICRODATA_PAGE = """<html><head><title>Night cramps and quinine</title></head><body>
<section class="feedback">
  <div itemscope itemtype="https://schema.org/Comment" id="c-1">
    <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Olu</span></span>
    <meta itemprop="dateCreated" content="2021-06-01T10:00:00Z"><span class="shown">June 1</span>
    <div itemprop="text"><p>Quinine tablets helped but my doctor stopped them.</p></div>
    <div itemprop="comment" itemscope itemtype="http://schema.org/Comment">
      <span itemprop="author">Bea</span>
      <time itemprop="datePublished" datetime="2021-06-02">2 June</time>
      <p itemprop="text">Same happened to me.</p>
    </div>
  </div>
</section>
</body></html>
"""

JSON_LD_PAGE = """<html><head><title>Potassium and cramps</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Article", "headline": "Potassium and cramps",
 "comment": [
   {"@type": "Comment", "@id": "#c1", "author": {"@type": "Person", "name": "Ines"},
    "dateCreated": "2020-02-02", "text": "Bananas did nothing for my cramps.",
    "comment": [{"@type": "Comment", "author": "Raj", "datePublished": "2020-02-03",
                 "text": "Try <b>coconut water</b> &amp; a stretch."}]},
   {"@type": "Comment", "identifier": 77, "author": [{"name": "Zoe"}], "text": "Stretching helped."}
 ]}
</script></head><body><p>Nothing else here.</p></body></html>
"""

BLOCKS_PAGE = """<html><head><title>Vinegar for leg cramps</title></head><body>
<div class="comments">
  <div class="comment-container" id="comment-900">
    <div class="comment-header"><a class="user-name" href="#">legweary</a> <span class="comment-date">2 years ago</span></div>
    <div class="comment-body">Apple cider vinegar in water stopped them overnight.</div>
    <div class="comment-actions"><a href="#">Reply</a></div>
    <div class="comment-replies">
      <div class="comment-container" id="comment-901">
        <span class="author-name">Pat</span> <time datetime="2022-02-02T12:00">Feb 2</time>
        <div class="comment-text">Which vinegar exactly?</div>
      </div>
    </div>
  </div>
</div>
</body></html>
"""

PAGE_TEXT_PAGE = """<html><head><title>Leg cramps at night</title></head><body>
<h1>Leg cramps at night</h1>
<p>Why do calves knot up at 2am? Here is what we found out.</p>
<h2>Reader Feedback</h2>
<div class="feedback-item"><p>Norma T on May 2, 2019:</p><p>A spoon of mustard works for me.</p></div>
<div class="feedback-item"><p>Kit (author) on May 3, 2019:</p><p>Thanks Norma, good to hear.</p></div>
<script>var leakedFromScript = "LEAK-SCRIPT";</script>
</body></html>
"""


def parse(text: str, name: str = "page.html") -> list:
    return list(parse_html_page(SourceText(name, text), ColumnMapping()))


def comments_of(items: list) -> list[RawComment]:
    return [item for item in items if isinstance(item, RawComment)]


def field_values(items: list, name: str) -> list:
    return [getattr(comment, name) for comment in comments_of(items)]


def all_yielded_text(items: list) -> str:
    strings = []
    for item in items:
        for value in dataclasses.asdict(item).values():
            strings.append(str(value))
    return "\n".join(strings)


@pytest.mark.parametrize(
    ("page", "field", "expected"),
    [
        (WORDPRESS_PAGE, "author", ["Mavis", "Site Owner", "Len"]),
        (WORDPRESS_PAGE, "posted_at", [
            "March 3, 2019 at 10:12 pm", "March 4, 2019 at 8:00 am", "March 5, 2019 at 1:30 pm",
        ]),
        (WORDPRESS_PAGE, "text", [
            "Pickle juice stopped my cramp within a minute.\n\nI keep a jar by the bed now.",
            "Glad it worked, Mavis.",
            "Pickle juice did nothing for me.",
        ]),
        (WORDPRESS_PAGE, "native_id", ["11", "12", "13"]),
        (DISQUS_PAGE, "author", ["wendy_r", "kevmo"]),
        (DISQUS_PAGE, "posted_at", [
            "Tuesday, March 5, 2019 9:14 PM", "Wednesday, March 6, 2019 7:02 AM",
        ]),
        (DISQUS_PAGE, "text", ["A teaspoon of yellow mustard works for me.", "What brand of mustard?"]),
        (DISQUS_PAGE, "native_id", ["5001", "5002"]),
        (MICRODATA_PAGE, "author", ["Olu", "Bea"]),
        (MICRODATA_PAGE, "posted_at", ["2021-06-01T10:00:00Z", "2021-06-02"]),
        (MICRODATA_PAGE, "text", [
            "Quinine tablets helped but my doctor stopped them.", "Same happened to me.",
        ]),
        (JSON_LD_PAGE, "author", ["Ines", "Raj", "Zoe"]),
        (JSON_LD_PAGE, "posted_at", ["2020-02-02", "2020-02-03", ""]),
        (JSON_LD_PAGE, "text", [
            "Bananas did nothing for my cramps.", "Try coconut water & a stretch.", "Stretching helped.",
        ]),
        (BLOCKS_PAGE, "author", ["legweary", "Pat"]),
        (BLOCKS_PAGE, "posted_at", ["2 years ago", "2022-02-02T12:00"]),
        (BLOCKS_PAGE, "text", [
            "Apple cider vinegar in water stopped them overnight.", "Which vinegar exactly?",
        ]),
        (BLOCKS_PAGE, "native_id", ["900", "901"]),
    ],
)
def test_each_markup_family_reads_its_comments(page: str, field: str, expected: list) -> None:
    assert field_values(parse(page), field) == expected


@pytest.mark.parametrize(
    ("page", "parent_of_reply"),
    [
        (WORDPRESS_PAGE, "11"),
        (DISQUS_PAGE, "5001"),
        (MICRODATA_PAGE, "c-1"),
        (JSON_LD_PAGE, "#c1"),
        (BLOCKS_PAGE, "900"),
    ],
)
def test_nested_reply_points_at_the_enclosing_comment(page: str, parent_of_reply: str) -> None:
    comments = comments_of(parse(page))
    assert comments[0].native_parent == ""
    assert comments[1].native_parent == parent_of_reply == comments[0].native_id


def test_wordpress_reply_to_a_reply_gets_its_direct_parent() -> None:
    assert field_values(parse(WORDPRESS_PAGE), "native_parent") == ["", "11", "12"]


def test_bypostauthor_marks_only_that_comment_not_its_ancestors() -> None:
    assert field_values(parse(WORDPRESS_PAGE), "is_author") == [False, True, False]


def test_pingback_is_rejected_not_dropped() -> None:
    rejects = [item for item in parse(WORDPRESS_PAGE) if isinstance(item, RecordReject)]
    assert [(reject.locator, reject.reason) for reject in rejects] == [
        ("line 33", "a pingback, not a reader comment")
    ]
    assert "Another blog" in rejects[0].raw


def test_locator_is_the_line_of_the_comment_element() -> None:
    assert field_values(parse(WORDPRESS_PAGE), "locator") == ["line 5", "line 15", "line 22"]


def test_json_ld_ids_come_from_id_or_identifier() -> None:
    native_ids = field_values(parse(JSON_LD_PAGE), "native_id")
    assert native_ids[0] == "#c1" and native_ids[2] == "77"
    assert native_ids[1]  # a made-up id, so that replies to it could still be resolved


def test_json_ld_graph_with_parent_item_references() -> None:
    page = """<html><head><script type="application/ld+json">
    {"@graph": [{"@type": "Comment", "@id": "https://x.example/#c9", "text": "Top"},
                {"@type": ["Comment"], "@id": "https://x.example/#c10", "text": "Answer",
                 "parentItem": {"@id": "https://x.example/#c9"}}]}
    </script></head><body></body></html>"""
    assert field_values(parse(page), "native_parent") == ["", "https://x.example/#c9"]


def test_json_ld_parent_written_in_full_is_not_read_as_a_reply() -> None:
    page = """<script type="application/ld+json">
    {"@type": "Comment", "@id": "#c2", "text": "Answer",
     "parentItem": {"@type": "Comment", "@id": "#c1", "text": "Question"}}
    </script>"""
    assert field_values(parse(page), "text") == ["Answer"]
    assert field_values(parse(page), "native_parent") == ["#c1"]


def test_invalid_json_ld_with_comments_is_a_reject_while_valid_blocks_are_read() -> None:
    broken = '<script type="application/ld+json">{"@type": "Comment", "text": "x",}</script>'
    page = JSON_LD_PAGE.replace("</head>", broken + "</head>")
    items = parse(page)
    assert len(comments_of(items)) == 3
    rejects = [item for item in items if isinstance(item, RecordReject)]
    assert len(rejects) == 1 and "not valid JSON" in rejects[0].reason


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (WORDPRESS_PAGE.replace(
            '<a href="#comment-11">March 3, 2019 at 10:12 pm</a>',
            '<a href="#comment-11"><time datetime="2019-03-03T22:12:00+00:00">3 March</time></a>',
        ), "2019-03-03T22:12:00+00:00"),
        (DISQUS_PAGE, "Tuesday, March 5, 2019 9:14 PM"),
        (BLOCKS_PAGE.replace(
            '<span class="comment-date">2 years ago</span>',
            '<time class="comment-date" datetime="2022-01-30">2 years ago</time>',
        ), "2022-01-30"),
    ],
)
def test_datetime_attribute_is_preferred_over_the_displayed_date(page: str, expected: str) -> None:
    assert field_values(parse(page), "posted_at")[0] == expected


UNSAFE_BODY = (
    "<p onclick=\"LEAK-ONCLICK()\">Real words stay.</p>"
    "<script>alert('LEAK-SCRIPT')</script>"
    "<iframe src=\"https://ads.example/\">LEAK-IFRAME</iframe>"
    "<img src=\"x.png\" onerror=\"LEAK-ONERROR()\" alt=\"\">"
    "<style>.x { content: 'LEAK-STYLE'; }</style>"
    "<noscript>LEAK-NOSCRIPT</noscript>"
)


@pytest.mark.parametrize(
    ("page", "placeholder"),
    [
        (WORDPRESS_PAGE, "<p>Glad it worked, Mavis.</p>"),
        (DISQUS_PAGE, "<p>What brand of mustard?</p>"),
        (MICRODATA_PAGE, "<p>Quinine tablets helped but my doctor stopped them.</p>"),
        (BLOCKS_PAGE, "Which vinegar exactly?"),
    ],
)
def test_scripts_frames_and_event_handlers_never_reach_the_text(page: str, placeholder: str) -> None:
    items = parse(page.replace(placeholder, UNSAFE_BODY) + "<script>var x = 'LEAK-PAGE';</script>")
    assert "Real words stay." in field_values(items, "text")
    assert "LEAK" not in all_yielded_text(items)


def test_script_text_never_reaches_the_page_text_fallback() -> None:
    text = html_page_to_text(PAGE_TEXT_PAGE.replace("<p>A spoon", UNSAFE_BODY + "<p>A spoon"))
    assert "Real words stay." in text
    assert "LEAK" not in text


def test_page_without_markup_falls_back_to_page_text() -> None:
    items = parse(PAGE_TEXT_PAGE)
    assert field_values(items, "author") == ["Norma T", "Kit"]
    assert field_values(items, "text") == ["A spoon of mustard works for me.", "Thanks Norma, good to hear."]
    assert field_values(items, "is_author") == [False, True]
    assert field_values(items, "locator") == ["line 5", "line 6"]  # lines of the HTML file
    assert "LEAK" not in all_yielded_text(items)


def test_page_text_has_one_line_per_block() -> None:
    lines = html_page_to_text(PAGE_TEXT_PAGE).split("\n\n")
    assert lines[:4] == [
        "Leg cramps at night",
        "Why do calves knot up at 2am? Here is what we found out.",
        "Reader Feedback",
        "Norma T on May 2, 2019:",
    ]


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Just an article</title></head><body><article><p>No one has commented.</p></article></body></html>",
        "",
        "<html><body><div class='comment'><span class='misc'>no body, no author</span></div></body></html>",
        "<html><body><script type='application/ld+json'>{\"@type\": \"Article\"}</script></body></html>",
    ],
    ids=["article-only", "empty", "block-without-body", "json-ld-without-comments"],
)
def test_page_without_any_comment_is_an_input_format_error(page: str) -> None:
    with pytest.raises(InputFormatError) as caught:
        parse(page, name="data/raw/empty.html")
    assert caught.value.source == "data/raw/empty.html"
    assert "no comments found in HTML page" in str(caught.value)


def test_empty_comment_body_is_yielded_with_empty_text() -> None:
    page = WORDPRESS_PAGE.replace("<p>Glad it worked, Mavis.</p>", "")
    assert field_values(parse(page), "text")[1] == ""


MALFORMED_PAGE = """<html><head><title>Broken page
<body>
<ol class="comment-list">
  <li class="comment" id="comment-1"><div class="comment-author"><b class="fn">Ann</b></span>
    <div class="comment-content"><p>Salt on the tongue helped.<p>Second thought, unclosed.
  </li>
  <li class="comment" id="comment-2"><b class="fn">Bob</b>
    <div class="comment-content"><p>Cut off in the middle of"""


def test_malformed_html_still_yields_every_comment() -> None:
    items = parse(MALFORMED_PAGE)
    assert field_values(items, "author") == ["Ann", "Bob"]
    # html.parser nests the unclosed second <p> inside the first; the paragraphs must
    # still come out as separate lines once the assembler normalises whitespace.
    assert [normalize_text(text) for text in field_values(items, "text")] == [
        "Salt on the tongue helped.\nSecond thought, unclosed.",
        "Cut off in the middle of",
    ]
    assert field_values(items, "native_parent") == ["", ""]


def test_stray_marked_section_does_not_cost_the_page() -> None:
    page = WORDPRESS_PAGE.replace("<h1>Cramp remedies</h1>", "<h1>Cramp remedies</h1><![ broken")
    assert len(comments_of(parse(page))) == 3


@pytest.mark.parametrize(
    ("head", "expected_thread", "expected_url"),
    [
        ('<meta property="og:title" content="OG title"><title>Tab title</title>', "OG title", ""),
        ("<title>Tab title</title>", "Tab title", ""),
        ("", "Heading title", ""),
        ('<link rel="canonical" href="https://a.example/p"><meta property="og:url" content="https://b.example/p">',
         "Heading title", "https://a.example/p"),
        ('<meta property="og:url" content="https://b.example/p">', "Heading title", "https://b.example/p"),
    ],
)
def test_thread_title_and_url_sources_in_order(head: str, expected_thread: str, expected_url: str) -> None:
    page = f"<html><head>{head}</head><body><h1>Heading title</h1>{DISQUS_PAGE}</body></html>"
    page = page.replace('<meta property="og:title" content="Why calves cramp">', "")
    thread = parse(page)[0]
    assert isinstance(thread, ThreadInfo)
    assert (thread.thread, thread.url) == (expected_thread, expected_url)
    assert {comment.thread for comment in comments_of(parse(page))} == {expected_thread}


def test_thread_is_keyed_by_url_when_the_page_has_no_title() -> None:
    page = '<link rel="canonical" href="https://a.example/p">' + BLOCKS_PAGE.replace(
        "<title>Vinegar for leg cramps</title>", ""
    )
    thread = parse(page)[0]
    assert thread.thread == thread.url == "https://a.example/p"


def test_markup_family_found_first_wins_so_comments_are_not_doubled() -> None:
    page = WORDPRESS_PAGE.replace(
        '<div id="div-comment-11" class="comment-body">',
        '<div id="div-comment-11" class="comment-body" itemscope itemtype="https://schema.org/Comment">',
    )
    assert len(comments_of(parse(page))) == 3


def test_sample_page_parses_to_ten_comments_with_two_replies() -> None:
    items = parse(SAMPLE.read_text(encoding="utf-8"), name="data/raw/night-cramps-magnesium.html")
    comments = comments_of(items)
    thread = items[0]
    assert isinstance(thread, ThreadInfo)
    assert thread.title == "Magnesium and night cramps: what readers told us"
    assert thread.author == "Helen Marsh"
    assert "Magnesium came up more than anything else" in thread.body
    assert "Lorraine" not in thread.body and "Leave a Reply" not in thread.body
    assert len(comments) == 10
    assert [c.native_parent for c in comments if c.native_parent] == ["301", "303"]
    assert [c.author for c in comments if c.is_author] == ["Helen Marsh"]
    assert all(c.posted_at.startswith("2023-01-") for c in comments)
    assert [c.text for c in comments if c.author == "Sam & Jo"] == [
        "We both get them! Jo swears by a mug of warm milk & honey before bed.\n\n"
        "I've had more luck leaning against the wall and stretching each calf for a minute "
        "before I turn the light off."
    ]
    yielded = all_yielded_text(items)
    assert "dataLayer" not in yielded and "readerNote" not in yielded and "gtag" not in yielded


def _shipped_rules() -> dict:
    return yaml.safe_load(resources.files("pipeline.data").joinpath(RULES_FILE).read_text(encoding="utf-8"))


def test_shipped_rule_file_is_valid() -> None:
    markup_from_mapping(_shipped_rules(), RULES_FILE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rules: rules.update(extra_key=[]), "unknown key 'extra_key'"),
        (lambda rules: rules["selector_families"]["wordpress"].update(items="li[["), "invalid CSS selector"),
        (lambda rules: rules["selector_families"].pop("disqus"), "missing key 'disqus'"),
        (lambda rules: rules["thread"]["title"].append({"selector": "h1"}), "thread.title entry 5"),
        (lambda rules: rules.update(native_id_prefix="(unclosed"), "native_id_prefix"),
    ],
)
def test_broken_rule_file_names_the_file_and_entry(change, message: str) -> None:
    rules = copy.deepcopy(_shipped_rules())
    change(rules)
    with pytest.raises(RuleFileError) as caught:
        markup_from_mapping(rules, RULES_FILE)
    assert RULES_FILE in str(caught.value) and message in str(caught.value)
