"""Data package: the TOML and text files beside this file ship inside the wheel as
`extractor.rules` (see pyproject.toml and extractor/resources.py)."""
