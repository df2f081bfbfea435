import pytest

from pipeline.errors import InputFormatError
from pipeline.ingest.detect import detect_format


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("page.txt", "Skip to main content\n\nTitle", "page"),
        ("export.csv", "id,text\n1,hi", "csv"),
        ("export.tsv", "id\ttext", "tsv"),
        ("export.json", "[{\"text\": \"hi\"}]", "json"),
        ("export.jsonl", "{\"body\": \"hi\"}\n", "jsonl"),
        ("page.html", "<!DOCTYPE html><html>", "html"),
        ("wp.xml", "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">", "wxr"),
        ("dq.xml", "<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\">", "disqus"),
        ("noextension", "<html><body>", "html"),
        ("noextension", "[{\"a\": 1}]", "json"),
        ("noextension", "{\"a\": 1}\n{\"a\": 2}\n", "jsonl"),
        ("noextension", "{\"comments\": [\n{\"a\": 1}]}", "json"),
        ("noextension", "Reader Feedback\n\nAnn on May 1, 2020:", "page"),
    ],
)
def test_format_is_chosen_by_extension_then_content(name, head, expected):
    assert detect_format(name, head) == expected


def test_xml_of_an_unknown_kind_is_refused():
    with pytest.raises(InputFormatError, match="neither a WordPress"):
        detect_format("feed.xml", "<?xml version=\"1.0\"?><catalog/>")
