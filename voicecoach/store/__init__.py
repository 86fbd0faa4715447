"""The store: recordings and the SQLite database in the user's data folder (the only module that writes them)."""
