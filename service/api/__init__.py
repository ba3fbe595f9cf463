"""HTTP API: thin routers over the use-case modules."""
