"""Domain services over the database. They never import Textual or click: the UI and the
command line are thin layers over these functions."""
