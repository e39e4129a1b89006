"""Documents generated from Homeroom's data: permission charts (and later login cards, rosters, exports)."""
