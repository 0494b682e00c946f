"""Data package: the trained models below this folder ship inside the wheel as
`extractor.models` (see pyproject.toml and extractor/resources.py)."""
