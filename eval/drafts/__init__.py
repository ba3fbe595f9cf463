"""Evaluation of the deterministic drafter: seed scenarios and real incident data."""
