"""Directed graphs with cycle detection and topological ordering."""

from dataknobs_structures.graph.digraph import CycleError, DirectedGraph

__all__ = ["CycleError", "DirectedGraph"]
