"""Label templates rendered to printer bytes (ZPL, ESC/POS) or images (PNG, PDF), the
transports that carry the bytes, and printer status.

Knows nothing of the station's database or of Textual: it takes label data in and gives
bytes, images and status out.
"""
