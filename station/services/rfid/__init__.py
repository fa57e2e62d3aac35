"""RFID at the bench: a box of tags received in one pass, and a room's tags counted against
the records (California's 30-day reconciliation). It owns the EPC-to-UID pairs a worker
taught the station, the inventory counts and their reads, and the reports that sort every
read into seen, missing, stray and wrong room. Reads come in as plain
:class:`station.domain.reads.Read` values from whichever reader the front end opened."""
