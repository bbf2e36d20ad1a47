import pytest

from dataknobs_common.errors import ValidationError
from dataknobs_common.text import is_blank, normalize_whitespace, slugify, truncate


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, True), ("", True), ("  \t\n", True), (" x ", False)],
)
def test_is_blank(text: str | None, expected: bool) -> None:
    assert is_blank(text) is expected


def test_normalize_whitespace_collapses_runs() -> None:
    assert normalize_whitespace("  a \t b\n\nc  ") == "a b c"


def test_slugify_strips_accents_and_punctuation() -> None:
    assert slugify("Héllo, Wörld!") == "hello-world"
    assert slugify("Data Knobs", separator="_") == "data_knobs"


def test_truncate_keeps_short_text() -> None:
    assert truncate("short", 10) == "short"


def test_truncate_adds_ellipsis() -> None:
    assert truncate("abcdefghij", 6) == "abc..."


def test_truncate_rejects_tiny_limit() -> None:
    with pytest.raises(ValidationError):
        truncate("abcdef", 2)
