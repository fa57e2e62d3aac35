"""Tag Station: UID tag management and label printing for Metrc licensees."""

__version__ = "0.1.0"
