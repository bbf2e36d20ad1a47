"""Micro-benchmarks (run with pytest-benchmark installed)."""

from typing import Any

import pytest

from dataknobs_structures import Tree
from dataknobs_xization import normalize_text, tokenize

pytest.importorskip("pytest_benchmark")

pytestmark = pytest.mark.performance

TEXT = " ".join(["The quick brown fox jumps over the lazy dog."] * 50)


def build_tree(width: int, depth: int) -> Tree[int]:
    root: Tree[int] = Tree(0)
    level = [root]
    for _ in range(depth):
        level = [node.add_child(i) for node in level for i in range(width)]
    return root


def test_tree_count_benchmark(benchmark: Any) -> None:
    tree = build_tree(width=4, depth=5)
    assert benchmark(tree.count) == sum(4**i for i in range(6))


def test_tokenize_benchmark(benchmark: Any) -> None:
    tokens = benchmark(lambda: tokenize(normalize_text(TEXT)))
    assert len(tokens) == 500
