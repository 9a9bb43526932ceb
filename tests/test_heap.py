"""The service's collector settings: startup's objects frozen, young collections rarer."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from notifier.heap import YOUNG_COLLECTION_EVERY, settle_after_startup


@pytest.fixture
def restored_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_startup_objects_are_frozen_and_young_collections_rarer(restored_collector: None) -> None:
    older, oldest = gc.get_threshold()[1:]
    gc.unfreeze()
    settle_after_startup()
    assert gc.get_freeze_count() > 10_000  # the modules this test process imported
    assert gc.get_threshold() == (YOUNG_COLLECTION_EVERY, older, oldest)


def test_the_collector_still_runs_on_its_own_after_startup(restored_collector: None) -> None:
    settle_after_startup()
    runs: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            runs.append(info["collected"])

    gc.callbacks.append(seen)
    try:
        for _ in range(3 * YOUNG_COLLECTION_EVERY):  # cycles, as ORM objects make them
            node: list[object] = []
            node.append(node)
    finally:
        gc.callbacks.remove(seen)
    assert runs and sum(runs) > YOUNG_COLLECTION_EVERY
