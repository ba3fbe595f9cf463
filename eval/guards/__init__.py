"""Evaluation of the guard layer on real human-written status-page updates."""
