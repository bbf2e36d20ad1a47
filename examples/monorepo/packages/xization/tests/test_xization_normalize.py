import pytest

from dataknobs_xization.normalize import (
    expand_camel_case,
    normalize_text,
    strip_accents,
)


def test_strip_accents() -> None:
    assert strip_accents("Crème brûlée") == "Creme brulee"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("parseHTTPResponse", "parse HTTP Response"),
        ("simple", "simple"),
        ("version2Update", "version2 Update"),
    ],
)
def test_expand_camel_case(text: str, expected: str) -> None:
    assert expand_camel_case(text) == expected


def test_normalize_text_defaults() -> None:
    assert normalize_text("  Ｃafé\tAU  lait ") == "cafe au lait"


def test_normalize_text_options() -> None:
    assert normalize_text("myCafé", split_camel_case=True, accents=True) == "my café"
    assert normalize_text("KeepCase", lowercase=False) == "KeepCase"
