"""One parser per input format; :func:`parser_for` maps a format name to its parser."""
from __future__ import annotations

from importlib import import_module

from pipeline.ingest.records import Parser

_PARSERS = {
    "page": ("page_text", "parse_page_text"),
    "html": ("html_page", "parse_html_page"),
    "csv": ("tabular", "parse_csv"),
    "tsv": ("tabular", "parse_tsv"),
    "json": ("json_records", "parse_json"),
    "jsonl": ("json_records", "parse_jsonl"),
    "reddit": ("json_records", "parse_reddit"),
    "wxr": ("wordpress", "parse_wxr"),
    "disqus": ("disqus", "parse_disqus"),
}


def parser_for(format_name: str) -> Parser:
    """Return the parser function for ``format_name`` (one of :data:`pipeline.ingest.detect.FORMATS`)."""
    module_name, function_name = _PARSERS[format_name]
    module = import_module(f"{__name__}.{module_name}")
    return getattr(module, function_name)
