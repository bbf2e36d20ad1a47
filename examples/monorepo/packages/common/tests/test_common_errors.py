import pytest

from dataknobs_common.errors import (
    DataknobsError,
    NotFoundError,
    ValidationError,
    require,
)


def test_error_without_context_is_plain_message() -> None:
    assert str(DataknobsError("boom")) == "boom"


def test_error_context_is_rendered_sorted() -> None:
    error = ValidationError("bad value", {"b": 2, "a": "x"})
    assert str(error) == "bad value (a='x', b=2)"
    assert error.context == {"a": "x", "b": 2}


def test_not_found_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        raise NotFoundError("missing", {"key": "k"})


def test_require() -> None:
    require(True, "never raised")
    with pytest.raises(ValidationError, match="must be positive"):
        require(False, "must be positive", value=-1)
