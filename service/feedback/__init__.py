"""Customer feedback: intake, incident linking, scoring, aggregates, tone guidance, the feed."""
