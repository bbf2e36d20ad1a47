"""Helpers for navigating decoded JSON documents (dicts, lists and scalars)."""

from __future__ import annotations

from typing import Any

from dataknobs_common.errors import NotFoundError
from dataknobs_structures.tree import Tree


def flatten(document: Any, separator: str = ".") -> dict[str, Any]:
    """Flatten nested dicts and lists into a single mapping of dotted paths.

    ``{"a": {"b": [1, 2]}}`` becomes ``{"a.b.0": 1, "a.b.1": 2}``. Empty
    containers are kept as leaf values so that no information is lost.
    """
    flat: dict[str, Any] = {}

    def visit(value: Any, prefix: str) -> None:
        if isinstance(value, dict) and value:
            for key, item in value.items():
                visit(item, f"{prefix}{separator}{key}" if prefix else str(key))
        elif isinstance(value, list) and value:
            for index, item in enumerate(value):
                visit(item, f"{prefix}{separator}{index}" if prefix else str(index))
        else:
            flat[prefix] = value

    visit(document, "")
    return flat


def get_path(document: Any, path: str, separator: str = ".") -> Any:
    """Return the value found by following a dotted ``path`` into ``document``.

    Path segments address dict keys, or list indexes when they are integers.

    Raises:
        NotFoundError: if a segment does not exist.
    """
    current = document
    if not path:
        return current
    for segment in path.split(separator):
        if isinstance(current, dict) and segment in current:
            current = current[segment]
        elif isinstance(current, list) and segment.lstrip("-").isdigit():
            index = int(segment)
            if not -len(current) <= index < len(current):
                raise NotFoundError("list index out of range", {"path": path})
            current = current[index]
        else:
            raise NotFoundError("path not found", {"path": path, "segment": segment})
    return current


def json_to_tree(document: Any, label: str = "$") -> Tree[tuple[str, Any]]:
    """Build a :class:`Tree` mirroring ``document``.

    Every node holds a ``(label, value)`` pair; containers hold ``None`` as
    their value and have one child per key or index.
    """
    is_container = isinstance(document, (dict, list))
    node: Tree[tuple[str, Any]] = Tree((label, None if is_container else document))
    if isinstance(document, dict):
        for key, value in document.items():
            node.add_child(json_to_tree(value, str(key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            node.add_child(json_to_tree(value, str(index)))
    return node
