"""Errors a user sees as a Chinese message rather than a traceback (kept import-light: the CLI
catches them before anything heavy is loaded)."""


class SchemaError(Exception):
    """A database this xxgk cannot use; the message (Chinese) names both schema versions."""
