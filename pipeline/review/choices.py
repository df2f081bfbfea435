"""The words of the review queue a reviewer types: severities, statuses and decisions (kept
apart from the queue's code, which needs pandas, so that the command line loads without it)."""
from __future__ import annotations

SEVERITIES = ("urgent", "high", "medium", "low")
STATUSES = ("open", "dismissed", "actioned", "escalated")
DECISIONS = ("dismissed", "actioned", "escalated")
