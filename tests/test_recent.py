"""The bounded most-recently-used map the long-lived stores share (igegraph.recent)."""

from __future__ import annotations

import threading

import pytest

from igegraph.recent import Recent


def test_the_least_recently_used_goes_first():
    kept: Recent[str, int] = Recent(3)
    for i, key in enumerate("abc"):
        kept.put(key, i)
    assert kept.get("a") == 0  # a use: "b" is now the least recently used
    assert "b" in kept  # a look, not a use
    kept.put("d", 3)
    assert ("b" in kept, "a" in kept, "c" in kept, "d" in kept, len(kept)) == (False, True, True, True, 3)
    kept.put("c", 30)  # writing again is a use too, and replaces the value
    kept.put("e", 4)
    assert [key for key in "acde" if key in kept] == ["c", "d", "e"]
    assert kept.get("c") == 30 and kept.get("a", -1) == -1
    assert kept.keys() == ["d", "e", "c"] and kept.values() == [3, 4, 30]  # least recently used first


def test_clear_and_a_limit_below_one():
    kept: Recent[str, int] = Recent(1)
    kept.put("a", 1)
    kept.put("b", 2)
    assert len(kept) == 1 and kept.get("b") == 2
    kept.clear()
    assert len(kept) == 0 and kept.get("b") is None
    with pytest.raises(ValueError, match="limit must be at least 1, not 0"):
        Recent(0)


def test_threads_sharing_one_never_pass_the_limit():
    kept: Recent[tuple[int, int], int] = Recent(50)
    seen: list[int] = []

    def work(t: int) -> None:
        for i in range(2_000):
            kept.put((t, i), i)
            kept.get((t, i - 10))
            seen.append(len(kept))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(seen) == 50 and len(kept) == 50
