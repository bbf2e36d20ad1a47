"""Exception hierarchy shared by all Dataknobs packages."""

from __future__ import annotations

from typing import Any, Mapping


class DataknobsError(Exception):
    """Base class of every error raised by the Dataknobs packages.

    Besides the message, an error carries an optional mapping of context
    values that help to diagnose the problem (for example the offending key).
    """

    def __init__(self, message: str, context: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.context: dict[str, Any] = dict(context or {})

    def __str__(self) -> str:
        if not self.context:
            return self.message
        details = ", ".join(
            f"{key}={value!r}" for key, value in sorted(self.context.items())
        )
        return f"{self.message} ({details})"


class ValidationError(DataknobsError):
    """Raised when an input value does not satisfy a documented constraint."""


class NotFoundError(DataknobsError, LookupError):
    """Raised when a requested item (key, node, path) does not exist."""


def require(condition: bool, message: str, **context: Any) -> None:
    """Raise :class:`ValidationError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise ValidationError(message, context)
