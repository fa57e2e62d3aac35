"""Command-line tests: the real ``station`` command run in-process on a real database."""
