"""Deterministic demo data: a believable Ambon with no download."""
