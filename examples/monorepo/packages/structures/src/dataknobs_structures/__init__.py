"""Data structures for the Dataknobs example packages."""

from dataknobs_structures.graph import CycleError, DirectedGraph
from dataknobs_structures.tree import Tree

__version__ = "1.0.0"

__all__ = ["CycleError", "DirectedGraph", "Tree", "__version__"]
