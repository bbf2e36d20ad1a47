"""Text normalization and tokenization for the Dataknobs example packages."""

from dataknobs_xization.normalize import (
    expand_camel_case,
    normalize_text,
    strip_accents,
)
from dataknobs_xization.tokens import Token, ngrams, token_length_stats, tokenize

__version__ = "1.0.0"

__all__ = [
    "Token",
    "expand_camel_case",
    "ngrams",
    "normalize_text",
    "strip_accents",
    "token_length_stats",
    "tokenize",
    "__version__",
]
