"""Connectors: one per system, mapping Sesam's entity types onto a shop's API (reads and writes)."""
