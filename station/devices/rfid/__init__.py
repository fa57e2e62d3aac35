"""RFID readers: every kind of reader the station can take reads from (a file a handheld
app exported, standard input, a serial or Bluetooth serial reader, an LLRP reader over
TCP), turned into one stream of :class:`station.domain.reads.Read`. A handheld in keyboard
mode needs nothing here: its reads arrive as scans, through the UI's scan path."""
