"""Integration tests combining several packages."""

import pytest

from dataknobs_common import DataknobsError
from dataknobs_structures import DirectedGraph, Tree
from dataknobs_utils import flatten, json_to_tree, summarize
from dataknobs_xization import normalize_text, tokenize

pytestmark = pytest.mark.integration


def test_json_document_to_token_statistics() -> None:
    document = {
        "title": "Crème Brûlée",
        "steps": ["Heat the cream.", "Whisk the yolks!"],
    }
    texts = [normalize_text(str(value)) for value in flatten(document).values()]
    tokens = [token for text in texts for token in tokenize(text, words_only=True)]
    assert [token.text for token in tokens][:2] == ["creme", "brulee"]
    stats = summarize(float(len(token.text)) for token in tokens)
    assert stats["count"] == 8.0
    assert stats["min"] == 3.0


def test_json_tree_is_a_structures_tree() -> None:
    tree = json_to_tree({"a": [1, 2], "b": {"c": None}})
    assert isinstance(tree, Tree)
    labels = [node.data[0] for node in tree.walk()]
    assert labels == ["$", "a", "0", "1", "b", "c"]


def test_dependency_graph_of_the_monorepo() -> None:
    graph = DirectedGraph(
        [
            ("dataknobs-common", "dataknobs-structures"),
            ("dataknobs-common", "dataknobs-utils"),
            ("dataknobs-structures", "dataknobs-utils"),
            ("dataknobs-utils", "dataknobs-xization"),
            ("dataknobs-structures", "dataknobs-xization"),
        ]
    )
    assert graph.topological_sort() == [
        "dataknobs-common",
        "dataknobs-structures",
        "dataknobs-utils",
        "dataknobs-xization",
    ]


def test_errors_share_a_common_base() -> None:
    graph = DirectedGraph([("x", "y"), ("y", "x")])
    with pytest.raises(DataknobsError):
        graph.topological_sort()
