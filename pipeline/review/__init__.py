"""Human review of safety flags: decisions in SQLite, and the queue built from flags and decisions."""
from pipeline.review.queue import QUEUE_COLUMNS, build_review_queue, filter_queue, queue_markdown
from pipeline.review.store import DECISIONS, ReviewError, ReviewStore

__all__ = [
    "DECISIONS", "QUEUE_COLUMNS", "ReviewError", "ReviewStore", "build_review_queue", "filter_queue", "queue_markdown",
]
