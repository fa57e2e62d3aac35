"""Terminal UI tests: the Textual app driven headless, and its snapshots at 80x24."""
