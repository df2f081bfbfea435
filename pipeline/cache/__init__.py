"""Incremental runs: a cache of per-file ingest results and per-comment extract and flag rows.

Nothing here changes what a stage computes; it decides what need not be computed again.
``versions`` says when a cache entry is stale (package, code, data files, user rule files),
``store`` keeps entries as Parquet shards, ``rows`` serves per-comment rows of any stage
function, ``ingest`` serves per-file parse results, and ``stages`` plugs extract and flag in.
"""
