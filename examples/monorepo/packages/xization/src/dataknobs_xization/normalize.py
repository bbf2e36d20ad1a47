"""Unicode-aware text normalization."""

from __future__ import annotations

import re
import unicodedata

_CAMEL_BOUNDARY_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_WHITESPACE_RE = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    """Remove combining marks, e.g. ``"café"`` becomes ``"cafe"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def expand_camel_case(text: str) -> str:
    """Insert spaces at camelCase boundaries.

    ``"parseHTTPResponse"`` becomes ``"parse HTTP Response"``.
    """
    return _CAMEL_BOUNDARY_RE.sub(" ", text)


def normalize_text(
    text: str,
    *,
    lowercase: bool = True,
    accents: bool = False,
    split_camel_case: bool = False,
) -> str:
    """Normalize ``text`` for matching and indexing.

    The text is NFKC-normalized and its whitespace collapsed. Optionally
    camelCase words are split, accents removed (``accents=False``) and the
    result lowercased.
    """
    result = unicodedata.normalize("NFKC", text)
    if split_camel_case:
        result = expand_camel_case(result)
    if not accents:
        result = strip_accents(result)
    if lowercase:
        result = result.lower()
    return _WHITESPACE_RE.sub(" ", result).strip()
