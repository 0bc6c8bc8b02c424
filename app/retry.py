"""How long to wait before trying again: exponential backoff with jitter."""

import random
from datetime import timedelta

# The wait after the n-th failed try: 30 s, 1 min, 2 min, … at most an hour, each drawn
# between half and all of it, so receivers coming back are not hit by every sender at once.
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """The wait after ``attempts`` failed tries (equal jitter)."""
    full = min(BACKOFF_CAP, BACKOFF_FIRST * (1 << max(attempts - 1, 0)))
    return full * rng.uniform(0.5, 1.0)
