import math

import pytest

from dataknobs_common.errors import ValidationError
from dataknobs_utils.stats import RunningStats, mean, median, summarize


def test_mean_and_median() -> None:
    assert mean([1.0, 2.0, 3.0, 4.0]) == 2.5
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5


@pytest.mark.parametrize("func", [mean, median])
def test_empty_input_is_rejected(func: object) -> None:
    assert callable(func)
    with pytest.raises(ValidationError):
        func([])


def test_running_stats_matches_direct_computation() -> None:
    values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    stats = RunningStats()
    stats.extend(values)
    assert stats.count == 8
    assert stats.mean == pytest.approx(5.0)
    assert stats.variance == pytest.approx(32.0 / 7.0)
    assert stats.stddev == pytest.approx(math.sqrt(32.0 / 7.0))
    assert (stats.minimum, stats.maximum) == (2.0, 9.0)


def test_running_stats_single_value_has_zero_variance() -> None:
    stats = RunningStats()
    stats.push(3.0)
    assert stats.variance == 0.0


def test_summarize() -> None:
    assert summarize([1.0, 3.0]) == {
        "count": 2.0,
        "mean": 2.0,
        "stddev": pytest.approx(math.sqrt(2.0)),
        "min": 1.0,
        "max": 3.0,
    }
    with pytest.raises(ValidationError):
        summarize([])
