"""Service tests: the services and the database under them, called with a Context."""
