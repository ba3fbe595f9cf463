"""Sentiment and concern evaluation: `python -m eval.sentiment --data FILES [--model M]`."""
