"""The store as a library: idempotent writes from threads, prepared groups, migrations."""

from __future__ import annotations

import threading

import pytest

from ruangaman.store import ItemRecord, Store, StoreError, current_revision, head_revision, upgrade


def record(item_id: str, text_hash: str = "h" * 64, level: str = "none") -> ItemRecord:
    return ItemRecord("assess", item_id, text_hash, "teks [PHONE]", [], "post", "id", level, [],
                      {"id": item_id, "self_harm": level})


@pytest.fixture
def store(database_url):
    s = Store(database_url)
    yield s
    s.close()


def test_writes_from_many_threads_store_each_id_once(store) -> None:
    _, key = store.create_key("lib", "platform")
    results: list = []

    def write(n: int) -> None:
        batch = [record(f"t-{i}") for i in range(n, n + 20)]
        results.extend(store.put_items("lib", key, batch, "items.create").result())

    threads = [threading.Thread(target=write, args=(k * 10,)) for k in range(8)]  # overlapping id ranges
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_items("lib") == 90
    assert sum(not r.replayed for r in results) == 90 and all(not r.conflict for r in results)


def test_a_prepared_group_is_stored_only_when_committed(store) -> None:
    _, key = store.create_key("lib", "platform")
    answers, commit, rollback = store.put_prepared([("lib", key, [record("p-1")], "items.create")])
    assert answers[0][0].replayed is False
    rollback()
    assert store.get_item("lib", "assess", "p-1") is None
    answers, commit, rollback = store.put_prepared([("lib", key, [record("p-1")], "items.create"),
                                                    ("lib", key, [record("p-1", "x" * 64)], "items.create")])
    commit()
    assert answers[0][0].replayed is False and answers[1][0].conflict is True
    assert store.get_item("lib", "assess", "p-1")["result"] == {"id": "p-1", "self_harm": "none"}


def test_a_database_behind_the_code_is_refused_until_upgraded(tmp_path) -> None:
    s = Store(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(s.engine, "0001")
        with pytest.raises(StoreError, match="ruangaman db upgrade"):
            s.check_schema()
        assert upgrade(s.engine) == head_revision() == current_revision(s.engine)
        s.check_schema()
    finally:
        s.close()


def test_a_memory_database_is_refused() -> None:
    with pytest.raises(StoreError, match="must be a file"):
        Store("sqlite:///:memory:")
