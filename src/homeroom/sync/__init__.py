"""OneRoster imports and exports end to end: the pure rostering stages joined to the services' use cases."""
