"""Renderers the drivers use: one template and label data in; printer bytes or images out."""
