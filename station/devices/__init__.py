"""Devices the station reads from (printers, which it writes to, are the ``printers``
package): the barcode scanner in serial mode."""
