"""The chart result cache's bounds (entries and bytes, least recently used out) and versions."""

from __future__ import annotations

from jimu.platform.reports.cache import ResultCache, rows_size
from jimu.platform.reports.service import _frozen

ROWS = [{"stage": "won", "n": 3}]


def test_an_entry_is_served_only_at_the_versions_it_was_read_at() -> None:
    cache = ResultCache()
    cache.put("k", ("t",), (4,), ROWS)
    assert cache.get("k", (4,)) == ROWS
    assert cache.get("k", (5,)) is None
    served = cache.get("k", (4,))
    assert served is not None
    served[0]["n"] = 99  # a caller's change does not reach the kept rows
    assert cache.get("k", (4,)) == ROWS
    assert (cache.hits, cache.misses) == (3, 1)
    # A slower reader's older rows never replace newer ones; newer ones replace older.
    cache.put("k", ("t",), (6,), [{"stage": "won", "n": 5}])
    cache.put("k", ("t",), (5,), ROWS)
    assert cache.get("k", (6,)) == [{"stage": "won", "n": 5}]
    assert cache.tables_of("k") == ("t",)


def test_least_recently_used_entries_leave_first_by_count_and_by_bytes() -> None:
    cache = ResultCache(max_entries=2)
    cache.put("a", (), (), ROWS)
    cache.put("b", (), (), ROWS)
    assert cache.get("a", ()) == ROWS  # "a" is now the most recent
    cache.put("c", (), (), ROWS)
    assert cache.get("b", ()) is None
    assert cache.get("a", ()) == ROWS and cache.get("c", ()) == ROWS
    size = rows_size(ROWS)
    by_bytes = ResultCache(max_bytes=size * 4)
    for key in "abcde":
        by_bytes.put(key, (), (), ROWS)
    assert len(by_bytes) == 4 and by_bytes.size == size * 4
    assert by_bytes.get("a", ()) is None
    big = [{"n": i} for i in range(100)]
    by_bytes.put("big", (), (), big)  # over a quarter of the bound: not kept
    assert by_bytes.get("big", ()) is None
    by_bytes.clear()
    assert (len(by_bytes), by_bytes.size) == (0, 0)


def test_sizes_of_rows_orjson_cannot_write_are_estimated() -> None:
    assert rows_size([{"n": 10**30}]) >= len("10" + "0" * 29)


def test_keys_tell_apart_what_json_tells_apart() -> None:
    keys = {_frozen({"a": v}) for v in (True, 1, 1.0, "1", [1], {"1": 1}, None)}
    assert len(keys) == 7
    assert _frozen({"a": 1, "b": [2]}) == _frozen({"b": [2], "a": 1})
