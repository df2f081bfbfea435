"""Human review of safety flags: decisions in SQLite (``store``), the queue built from flags and
decisions (``queue``), and the ``remedy-miner review`` commands (``commands``)."""
