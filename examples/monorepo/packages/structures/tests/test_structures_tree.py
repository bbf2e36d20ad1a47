import pytest

from dataknobs_common.errors import NotFoundError, ValidationError
from dataknobs_structures.tree import Tree


def test_create_tree_add_child_and_count() -> None:
    tree = Tree("root")
    child = tree.add_child("child")
    assert tree.num_children == 1
    assert tree.count() == 2
    assert child.parent is tree
    assert child.depth == 1


def test_walk_orders() -> None:
    root = Tree("a")
    b = root.add_child("b")
    root.add_child("c")
    b.add_child("d")
    assert [node.data for node in root.walk()] == ["a", "b", "d", "c"]
    assert [node.data for node in root.walk_breadth_first()] == ["a", "b", "c", "d"]
    assert [leaf.data for leaf in root.leaves()] == ["d", "c"]


def test_find_and_path_from_root() -> None:
    root = Tree(1)
    root.add_child(2).add_child(3)
    found = root.find(lambda value: value == 3)
    assert found is not None
    assert found.path_from_root() == [1, 2, 3]
    assert found.root is root
    assert root.find(lambda value: value > 10) is None


def test_add_detached_subtree() -> None:
    root = Tree("root")
    subtree = Tree("sub")
    subtree.add_child("leaf")
    root.add_child(subtree)
    assert root.count() == 3
    with pytest.raises(ValidationError):
        root.add_child(subtree)


def test_cannot_add_own_root() -> None:
    root = Tree("root")
    child = root.add_child("child")
    with pytest.raises(ValidationError):
        child.add_child(root)


def test_remove_child() -> None:
    root = Tree("root")
    root.add_child("x")
    removed = root.remove_child("x")
    assert removed.parent is None
    assert root.is_leaf
    with pytest.raises(NotFoundError):
        root.remove_child("x")
