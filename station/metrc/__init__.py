"""Exchange with Metrc: the API client, the objects the station sends, and the import files."""
