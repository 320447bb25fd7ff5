"""The bounded map behind the page and fragment caches: the least recently used entry goes first."""

from __future__ import annotations

from consult.core.lru import BoundedLRU


def test_the_most_recently_used_entries_are_kept():
    kept = BoundedLRU[str](2)
    kept.put("a", "<p>a</p>")
    kept.put("b", "<p>b</p>")
    assert kept.get("a") == "<p>a</p>"  # now the most recently used
    kept.put("c", "<p>c</p>")
    assert kept.get("b") is None and kept.get("a") and kept.get("c") and len(kept) == 2


def test_a_peek_does_not_count_as_a_use_but_a_touch_does():
    kept = BoundedLRU[int](2)
    kept.put("old", 1)
    kept.put("new", 2)
    assert kept.peek("old") == 1
    kept.put("newer", 3)
    assert "old" not in kept and list(kept) == ["new", "newer"]
    kept.touch("new")
    kept.put("newest", 4)
    assert list(kept) == ["new", "newest"]
