"""Every fake the tests and the bench talk to in place of what cannot run here or should
not be called: a Zebra (TCP and serial), an ESC/POS printer, the Metrc API with Retail ID."""
