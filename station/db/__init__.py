"""Storage: peewee models, the database connection and schema migrations."""
