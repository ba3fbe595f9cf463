"""Herald: AI-assisted incident communication with a human in charge."""
