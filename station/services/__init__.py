"""The station's work, over the database, by workflow: ``tags`` (orders, receipt,
assignment, voiding, corrections, stock, deadlines), ``printing``, ``metrc`` (with Retail
ID), ``records`` (audit, chain, backups, restore) and ``people`` (operators, roles). Every
service takes the ``context.Context`` of the call. None imports Textual or click: the UI and
the command line are thin layers over these functions (ARCHITECTURE.md)."""
