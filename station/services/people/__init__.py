"""The people at the bench: operators with their PINs and badges, signing in and a
supervisor's approval, and the one table of which role may run which command."""
