"""A server's collector: what existed before serving is frozen, young collections are
rarer, and cycles made afterwards are still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from objectstore.serving.gc_tuning import OLDER, YOUNG, tune_for_serving


@pytest.fixture
def restored() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_the_collector_is_tuned_and_still_collects_cycles(restored: None) -> None:
    tune_for_serving()
    assert gc.get_threshold() == (YOUNG, *OLDER)
    assert gc.get_freeze_count() > 1000       # the modules and objects already made

    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a                   # a cycle: refcounting alone cannot free it
    gone = weakref.ref(a)
    del a, b
    kept = [[] for _ in range(YOUNG * 2)]     # containers that live: a young collection
    assert gone() is None
    del kept
