"""The garbage collector's settings for the service process.

The service is a long-running process whose every sweep and dispatch round creates tens of
thousands of short-lived objects, while startup (modules, configuration, templates) leaves
~150,000 objects that live as long as the process. With CPython's defaults 12 rounds of a
1,000-deadline sweep and the plain way's run (``bench_sweep``'s fixture) ran 688
collections, and every third or fourth sweep a full one over all of startup's objects
(100-170 ms of a ~250 ms sweep); with these settings, 5.
"""

from __future__ import annotations

import gc

# Allocations between young collections (CPython's default is 700): a sweep batch's rows
# and contexts die young, and checking them every 700 allocations only promotes them.
YOUNG_COLLECTION_EVERY = 20_000


def settle_after_startup() -> None:
    """Freeze what startup left (the collector no longer walks it) and collect young
    objects less often. Call once, after the runtime is built; cyclic garbage is still
    collected, only later."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, older, oldest)
