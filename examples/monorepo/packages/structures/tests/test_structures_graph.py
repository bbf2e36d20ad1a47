import pytest

from dataknobs_common.errors import NotFoundError
from dataknobs_structures.graph import CycleError, DirectedGraph


def test_topological_sort_respects_edges() -> None:
    graph = DirectedGraph([("common", "structures"), ("structures", "utils")])
    graph.add_edge("common", "utils")
    graph.add_node("standalone")
    order = graph.topological_sort()
    assert order == ["common", "standalone", "structures", "utils"]
    assert len(graph) == 4
    assert "utils" in graph


def test_successors_and_predecessors() -> None:
    graph = DirectedGraph([(1, 2), (1, 3), (3, 2)])
    assert graph.successors(1) == [2, 3]
    assert sorted(graph.predecessors(2)) == [1, 3]
    with pytest.raises(NotFoundError):
        graph.successors(99)
    with pytest.raises(NotFoundError):
        graph.predecessors(99)


def test_cycle_is_detected() -> None:
    graph = DirectedGraph([("a", "b"), ("b", "c"), ("c", "a")])
    assert graph.find_cycle() == ["a", "b", "c", "a"]
    with pytest.raises(CycleError):
        graph.topological_sort()


def test_acyclic_graph_has_no_cycle() -> None:
    assert DirectedGraph([("a", "b")]).find_cycle() is None
