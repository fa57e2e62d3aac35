"""Label templates rendered to printer bytes or images, sent over transports.

- ``template``, ``catalog``, ``label``, ``layout``: what a label holds and where it goes;
- ``drivers/``: one class per printer language (ZPL, ESC/POS, PNG, PDF) owning rendering,
  status, which labels a status confirms or a fault settles, and cancelling;
- ``render/``: the renderers the drivers use;
- ``transports/``: one class per connection type, chosen by URL scheme;
- ``device``: a configured printer: print labels, ask its status.

Knows nothing of the station's database or of Textual: it takes label data in and gives
bytes, images and status out.
"""
