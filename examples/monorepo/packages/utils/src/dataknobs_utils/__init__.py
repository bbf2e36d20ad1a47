"""General purpose utilities for the Dataknobs example packages."""

from dataknobs_utils.json_utils import flatten, get_path, json_to_tree
from dataknobs_utils.stats import RunningStats, mean, median, summarize

__version__ = "1.0.0"

__all__ = [
    "RunningStats",
    "flatten",
    "get_path",
    "json_to_tree",
    "mean",
    "median",
    "summarize",
    "__version__",
]
