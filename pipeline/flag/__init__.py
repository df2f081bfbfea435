"""The flag stage: comments a safety reviewer or moderator must see, with severity, reason and evidence."""
