"""The report stage: counting the claims and rendering the summary tables and report."""
