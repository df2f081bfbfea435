"""Scoring the pipeline's claims and flags against labelled comments."""
