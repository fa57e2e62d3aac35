"""Unit tests: the domain, the printer layer and the settings, with no station database."""
