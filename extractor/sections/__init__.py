"""Assign every paragraph to one of the six standard sections (or the preamble)."""
