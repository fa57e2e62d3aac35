"""Pure domain rules: no database, no terminal, no printer."""
