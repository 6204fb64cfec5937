"""Random helpers shared by the education, early help and health generators."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta


def arrivals(rng: random.Random, start: date, end: date, yearly_rate: Callable[[date], float]) -> Iterator[date]:
    """Days of a Poisson process from ``start`` to ``end`` whose rate (events a year) may change with the date.

    Time runs continuously and is cut to days only when an event is reported, so several events can fall on one
    day and the mean number a year is the rate, whatever the rate.
    """
    elapsed = 0.0
    day = start
    while True:
        rate = yearly_rate(day)
        elapsed += rng.expovariate(rate / 365.25) if rate > 0 else 1.0
        day = start + timedelta(days=int(elapsed))
        if day > end:
            return
        if rate > 0:
            yield day


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means used here are small)."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
