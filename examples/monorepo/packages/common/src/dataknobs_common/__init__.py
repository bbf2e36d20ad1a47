"""Shared building blocks for the Dataknobs example packages."""

from dataknobs_common.errors import DataknobsError, NotFoundError, ValidationError
from dataknobs_common.text import is_blank, normalize_whitespace, slugify, truncate

__version__ = "1.0.0"

__all__ = [
    "DataknobsError",
    "NotFoundError",
    "ValidationError",
    "is_blank",
    "normalize_whitespace",
    "slugify",
    "truncate",
    "__version__",
]
