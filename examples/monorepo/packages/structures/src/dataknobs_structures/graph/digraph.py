"""A minimal directed graph keyed by hashable node identifiers."""

from __future__ import annotations

from typing import Generic, Hashable, Iterable, TypeVar

from dataknobs_common.errors import DataknobsError, NotFoundError

N = TypeVar("N", bound=Hashable)


class CycleError(DataknobsError):
    """Raised when an operation needs an acyclic graph but finds a cycle."""


class DirectedGraph(Generic[N]):
    """A directed graph stored as insertion-ordered adjacency sets."""

    def __init__(self, edges: Iterable[tuple[N, N]] = ()) -> None:
        self._successors: dict[N, dict[N, None]] = {}
        for source, target in edges:
            self.add_edge(source, target)

    def __contains__(self, node: object) -> bool:
        return node in self._successors

    def __len__(self) -> int:
        return len(self._successors)

    @property
    def nodes(self) -> list[N]:
        """All nodes, in the order they were first seen."""
        return list(self._successors)

    def add_node(self, node: N) -> None:
        """Add ``node`` if it is not already in the graph."""
        self._successors.setdefault(node, {})

    def add_edge(self, source: N, target: N) -> None:
        """Add the edge ``source -> target`` (adding missing nodes)."""
        self.add_node(source)
        self.add_node(target)
        self._successors[source][target] = None

    def successors(self, node: N) -> list[N]:
        """The nodes reachable from ``node`` through one edge."""
        try:
            return list(self._successors[node])
        except KeyError:
            raise NotFoundError("unknown node", {"node": node}) from None

    def predecessors(self, node: N) -> list[N]:
        """The nodes that have an edge pointing at ``node``."""
        if node not in self._successors:
            raise NotFoundError("unknown node", {"node": node})
        return [
            source for source, targets in self._successors.items() if node in targets
        ]

    def find_cycle(self) -> list[N] | None:
        """Return one cycle as a list of nodes (first node repeated), or ``None``."""
        visiting: dict[N, int] = {}
        done: set[N] = set()
        path: list[N] = []

        def visit(node: N) -> list[N] | None:
            visiting[node] = len(path)
            path.append(node)
            for target in self._successors[node]:
                if target in visiting:
                    return path[visiting[target] :] + [target]
                if target not in done:
                    cycle = visit(target)
                    if cycle is not None:
                        return cycle
            path.pop()
            del visiting[node]
            done.add(node)
            return None

        for start in self._successors:
            if start not in done:
                cycle = visit(start)
                if cycle is not None:
                    return cycle
        return None

    def topological_sort(self) -> list[N]:
        """Order the nodes so that every edge goes from an earlier to a later node.

        Ties are broken by insertion order, so the result is deterministic.

        Raises:
            CycleError: if the graph contains a cycle.
        """
        in_degree: dict[N, int] = {node: 0 for node in self._successors}
        for targets in self._successors.values():
            for target in targets:
                in_degree[target] += 1
        ready = [node for node, degree in in_degree.items() if degree == 0]
        order: list[N] = []
        while ready:
            node = ready.pop(0)
            order.append(node)
            for target in self._successors[node]:
                in_degree[target] -= 1
                if in_degree[target] == 0:
                    ready.append(target)
        if len(order) != len(self._successors):
            raise CycleError("graph contains a cycle", {"cycle": self.find_cycle()})
        return order
