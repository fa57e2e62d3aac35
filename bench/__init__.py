"""``make bench``: speed and memory figures, printed as a table (never asserted in tests)."""
