"""The station's record and its safekeeping: the append-only audit trail and its hash
chain (verified, keyed with a secret kept outside the database, anchored by every backup),
backups (on demand and daily), restoring one (with the checks that refuse a rewritten
history), and the full database check."""
