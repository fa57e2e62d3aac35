"""Widgets of the station's terminal UI."""
