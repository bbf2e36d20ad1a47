"""Smoke test: create a Tree, add a child, check the count."""

from dataknobs_structures import Tree


def test_tree_add_child_updates_counts() -> None:
    tree = Tree("root")
    tree.add_child("child")
    assert tree.num_children == 1
    assert tree.count() == 2
