"""remedy-miner: evidence from reader comments on health articles."""

__version__ = "0.1.0"
