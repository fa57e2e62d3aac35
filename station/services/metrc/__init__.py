"""Working with Metrc: the objects the station's assignments stand for, pushed to the API
or written to its import files (and a plain CSV of tags for people), the available tags
pulled and compared, API sessions per facility, and Retail ID unit codes (generated,
looked up, associated). The HTTP client itself is ``station.metrc``; this package decides
what to ask it and records what it answered."""
