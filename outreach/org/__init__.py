"""Organisation: teams, areas and places (maintained by the admin, shared by all areas)."""
