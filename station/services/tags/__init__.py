"""Tags, from order to use: the orders Metrc ships (recorded, imported from files,
corrected), their receipt at the station (and taking a wrong one back), assignment to
packages and plants in batches (with what each batch records, and corrections to it before
it goes to Metrc), replacing a plant's tag, voiding, the facilities tags belong to, and what
is read back from all that: listings, the tally by state, the stock forecast and what is
due. (The home screen's summary, which also reads print jobs and backups, is
``station.services.home``.)"""
