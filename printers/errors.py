"""Errors the printer layer raises; each message is one line for the operator."""


class PrinterError(Exception):
    """A template, rendering or printer problem the operator can act on."""


class TemplateError(PrinterError):
    """A template file that cannot be used as it is."""


class TransportError(PrinterError):
    """Bytes that could not be delivered: refused connection, missing device, timeout."""
