"""Herald's domain model: Statuspage-shaped incidents plus Herald's own namespace."""
