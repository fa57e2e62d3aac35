"""Each Metrc state's rules as data: one profile a state (``profiles/XX.toml``), every rule
with its value, its source and whether the source states it ([V]) or it is inferred ([I]).

A rule no source states is absent from the profile, and the station says "not known for XX"
rather than guessing (``../shared/reference/states.md``). A user profile in the config folder
(``states/XX.toml``) may set a rule; the services record in the audit trail when such a rule
decides something.
"""
