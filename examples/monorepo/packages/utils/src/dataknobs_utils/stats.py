"""Descriptive statistics over sequences of numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

from dataknobs_common.errors import ValidationError


def mean(values: Sequence[float]) -> float:
    """The arithmetic mean of ``values`` (which must not be empty)."""
    if not values:
        raise ValidationError("mean of an empty sequence")
    return math.fsum(values) / len(values)


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (which must not be empty)."""
    if not values:
        raise ValidationError("median of an empty sequence")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2.0


@dataclass
class RunningStats:
    """Streaming count, mean, variance, minimum and maximum (Welford's method)."""

    count: int = 0
    mean: float = 0.0
    minimum: float = math.inf
    maximum: float = -math.inf
    _m2: float = 0.0

    def push(self, value: float) -> None:
        """Add one observation."""
        self.count += 1
        delta = value - self.mean
        self.mean += delta / self.count
        self._m2 += delta * (value - self.mean)
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)

    def extend(self, values: Iterable[float]) -> None:
        """Add every observation from ``values``."""
        for value in values:
            self.push(value)

    @property
    def variance(self) -> float:
        """The sample variance (``0.0`` with fewer than two observations)."""
        if self.count < 2:
            return 0.0
        return self._m2 / (self.count - 1)

    @property
    def stddev(self) -> float:
        """The sample standard deviation."""
        return math.sqrt(self.variance)


def summarize(values: Iterable[float]) -> dict[str, float]:
    """Return count, mean, stddev, min and max of ``values`` as a dict."""
    stats = RunningStats()
    stats.extend(values)
    if stats.count == 0:
        raise ValidationError("cannot summarize an empty sequence")
    return {
        "count": float(stats.count),
        "mean": stats.mean,
        "stddev": stats.stddev,
        "min": stats.minimum,
        "max": stats.maximum,
    }
