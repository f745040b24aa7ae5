"""Answering: evidence, scoring, one module per strategy, the typed router, rendering."""
