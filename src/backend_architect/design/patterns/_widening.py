"""How a k-nearest proximity search (``near`` with no ``radius``) finds its k points: a radius that widens.

Neither a GEOSEARCH nor a scan of geohash cells has an unbounded "k nearest": each reads the points
within a radius, and ``COUNT k ASC`` keeps the nearest k of them. The radius that holds k points on
average (pi r² x density = k) falls short about half the time, wherever points are sparser than the
mean, so one fixed radius would promise k and return fewer. The search therefore starts at that radius
with ``COUNT k`` and, while it finds fewer than k, repeats at twice the radius (four times the area),
up to ``MAX_STEPS`` searches: the last radius holds 4^(MAX_STEPS-1) x k points on average, and a point
with fewer than k within it gets what was found (an area too sparse to serve from one search more).

Every artefact reads the steps from here (the decision, the recipients, the flow step, the Redis
operations and the latency), so the first radius and density stay the figures' and the widening
is said once, the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Searches a k-nearest read makes at most: the radius doubles after each that finds fewer than k (r, 2r, 4r, 8r).
MAX_STEPS = 4
#: How much each step widens the radius.
GROWTH = 2


@dataclass(frozen=True)
class Widening:
    """The radii a k-nearest search tries in turn, and how many searches it makes on average."""

    k: int
    radii_km: tuple[float, ...]
    #: Points the first radius holds on average (pi r² x density): k, or more where the radius has a floor.
    within: float
    #: Searches a request makes on average, rounded up to a tenth.
    expected_steps: float
    #: For each step, the share of searches that reach it (1 for the first).
    reach: tuple[float, ...]

    def said(self, wanted: str = "") -> str:
        """The widening in one clause, as every artefact says it; ``wanted`` names the count where a caller sets it (``{limit}``).

        >>> widening(0.5, 20, 20.0).said()
        'repeated at twice the radius while fewer than 20 are found: 0.5, 1, 2, 4 km (4 searches at most, 1.5 on average)'
        """
        radii = ", ".join(km(r) for r in self.radii_km)
        sized = f", sized for {self.k}" if wanted and wanted != str(self.k) else ""
        return (
            f"repeated at twice the radius while fewer than {wanted or self.k} are found: {radii} km "
            f"({len(self.radii_km)} searches at most, {self.expected_steps:g} on average{sized})"
        )


def km(radius: float) -> str:
    """A radius for a sentence: three significant digits, whole kilometres past 100 (never an exponent).

    >>> km(0.252313), km(2.0185), km(2018.5)
    ('0.252', '2.02', '2,018')
    """
    return f"{radius:.3g}" if radius < 100 else f"{radius:,.0f}"


def shortfall(mean: float, k: int) -> float:
    """The chance a circle holding ``mean`` points on average holds fewer than ``k`` (points spread at random: Poisson).

    >>> round(shortfall(1.0, 1), 4)
    0.3679
    >>> shortfall(0.0, 3)
    1.0
    """
    if mean <= 0:
        return 1.0
    # summed in logs: a mean of thousands overflows the plain terms
    return min(1.0, sum(math.exp(-mean + j * math.log(mean) - math.lgamma(j + 1)) for j in range(k)))


def widening(radius_km: float, k: int, within: float) -> Widening:
    """The steps of a k-nearest search starting at ``radius_km``, which holds ``within`` points on average.

    Step i+1 runs when step i found fewer than k; its radius is ``GROWTH`` times the last, holding ``GROWTH``² times the points.
    The expected count of searches is 1 + the sum over the later steps of the chance the radius before held fewer than k.

    >>> w = widening(0.25, 1, 1.0)
    >>> w.radii_km, w.expected_steps, round(sum(w.reach), 3)
    ((0.25, 0.5, 1.0, 2.0), 1.4, 1.386)
    """
    radii = tuple(radius_km * GROWTH**i for i in range(MAX_STEPS))
    # the circles are nested: a radius that falls short means every smaller one did, so a step's reach is one chance, not a product
    reach = (1.0, *(shortfall(within * GROWTH ** (2 * i), k) for i in range(MAX_STEPS - 1)))
    # rounded up to the tenth the figure shows, so the operations and the latency multiply by the number a reader sees
    return Widening(k, radii, within, math.ceil(round(sum(reach), 3) * 10) / 10, reach)


__all__ = ["GROWTH", "MAX_STEPS", "Widening", "km", "shortfall", "widening"]
