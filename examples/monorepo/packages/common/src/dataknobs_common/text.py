"""Small, dependency-free text helpers."""

from __future__ import annotations

import re
import unicodedata

from dataknobs_common.errors import ValidationError

_WHITESPACE_RE = re.compile(r"\s+")
_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")


def is_blank(text: str | None) -> bool:
    """Return ``True`` when ``text`` is ``None`` or only whitespace."""
    return text is None or not text.strip()


def normalize_whitespace(text: str) -> str:
    """Collapse every run of whitespace into a single space and strip the ends."""
    return _WHITESPACE_RE.sub(" ", text).strip()


def slugify(text: str, separator: str = "-") -> str:
    """Turn ``text`` into a lowercase ASCII slug such as ``"hello-world"``.

    Accented characters are reduced to their base letter and every run of
    characters that are not ASCII letters or digits becomes ``separator``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_SLUG_RE.sub(separator, ascii_text).strip(separator)


def truncate(text: str, max_length: int, ellipsis: str = "...") -> str:
    """Shorten ``text`` to at most ``max_length`` characters.

    When the text is cut, ``ellipsis`` is appended and counted in the length.
    """
    if max_length < len(ellipsis):
        raise ValidationError(
            "max_length must be at least the length of the ellipsis",
            {"max_length": max_length, "ellipsis": ellipsis},
        )
    if len(text) <= max_length:
        return text
    return text[: max_length - len(ellipsis)] + ellipsis
