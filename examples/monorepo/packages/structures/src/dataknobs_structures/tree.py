"""A generic rooted tree whose nodes hold arbitrary data."""

from __future__ import annotations

from collections import deque
from typing import Callable, Generic, Iterator, TypeVar

from dataknobs_common.errors import NotFoundError, ValidationError

T = TypeVar("T")


class Tree(Generic[T]):
    """A tree node holding ``data`` and an ordered list of child nodes.

    Every node is itself a :class:`Tree`, so any node can be used as the root
    of the sub-tree below it::

        root = Tree("root")
        child = root.add_child("child")
        child.add_child("grandchild")
        assert root.num_children == 1
        assert root.count() == 3
    """

    def __init__(self, data: T, parent: Tree[T] | None = None) -> None:
        self.data = data
        self.parent = parent
        self._children: list[Tree[T]] = []

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, children={len(self._children)})"

    @property
    def children(self) -> tuple[Tree[T], ...]:
        """The direct children of this node, in insertion order."""
        return tuple(self._children)

    @property
    def num_children(self) -> int:
        """The number of direct children of this node."""
        return len(self._children)

    @property
    def is_leaf(self) -> bool:
        """``True`` when the node has no children."""
        return not self._children

    @property
    def root(self) -> Tree[T]:
        """The top-most ancestor of this node (the node itself for a root)."""
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    @property
    def depth(self) -> int:
        """The number of edges between this node and the root."""
        depth = 0
        node = self
        while node.parent is not None:
            depth += 1
            node = node.parent
        return depth

    def add_child(self, child: T | Tree[T]) -> Tree[T]:
        """Append ``child`` (data or a detached tree) and return the child node."""
        if isinstance(child, Tree):
            if child.parent is not None:
                raise ValidationError("node already has a parent", {"node": child.data})
            if child is self or child is self.root:
                raise ValidationError("adding this node would create a cycle")
            node: Tree[T] = child
            node.parent = self
        else:
            node = Tree(child, parent=self)
        self._children.append(node)
        return node

    def remove_child(self, data: T) -> Tree[T]:
        """Detach and return the first direct child whose data equals ``data``."""
        for index, child in enumerate(self._children):
            if child.data == data:
                del self._children[index]
                child.parent = None
                return child
        raise NotFoundError("no such child", {"data": data})

    def walk(self) -> Iterator[Tree[T]]:
        """Yield this node and all of its descendants in depth-first pre-order."""
        stack: list[Tree[T]] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def walk_breadth_first(self) -> Iterator[Tree[T]]:
        """Yield this node and all of its descendants level by level."""
        queue: deque[Tree[T]] = deque([self])
        while queue:
            node = queue.popleft()
            yield node
            queue.extend(node.children)

    def count(self) -> int:
        """The number of nodes in this sub-tree, including this node."""
        return sum(1 for _ in self.walk())

    def find(self, predicate: Callable[[T], bool]) -> Tree[T] | None:
        """Return the first node (pre-order) whose data satisfies ``predicate``."""
        for node in self.walk():
            if predicate(node.data):
                return node
        return None

    def path_from_root(self) -> list[T]:
        """The data of every node from the root down to this node."""
        path: list[T] = []
        node: Tree[T] | None = self
        while node is not None:
            path.append(node.data)
            node = node.parent
        path.reverse()
        return path

    def leaves(self) -> list[Tree[T]]:
        """All leaf nodes of this sub-tree, in pre-order."""
        return [node for node in self.walk() if node.is_leaf]
