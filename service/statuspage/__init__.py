"""The public status page: only published updates, component statuses and maintenance windows."""
