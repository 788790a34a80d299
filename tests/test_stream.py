"""JSONL in, JSONL out: one line per input line, bad lines reported in place, nothing dropped."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli


def _lines(out: bytes) -> list[dict]:
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


def test_every_bad_line_gets_an_error_record_and_the_rest_go_on() -> None:
    good = [json.dumps({"id": "g1", "text": "pengen mati aja rasanya"}).encode(),
            json.dumps({"id": "g2", "text": "mati lampu lagi", "surface": "post"}).encode()]
    bad = [
        (b'{"id": "b1", "text": "caf\xe9 \xff"}', "invalid_utf8", None),
        (b'{"id": "b2", "text": ', "invalid_json", None),
        (b'["not", "an", "object"]', "invalid_json", None),
        (json.dumps({"text": "no id"}).encode(), "missing_id", None),
        (json.dumps({"id": "b5", "text": "hi", "lang": "id"}).encode(), "unknown_field", "b5"),
        (json.dumps({"id": "b6", "text": ""}).encode(), "empty_text", "b6"),
        (json.dumps({"id": "b7", "text": "x" * 30_000}).encode(), "text_too_long", "b7"),
        (json.dumps({"id": "b7b", "text": "x" * (1 << 20)}).encode(), "line_too_long", None),
        (json.dumps({"id": "b8", "text": "halo", "surface": "tweet"}).encode(), "invalid_surface", "b8"),
        (json.dumps({"id": "b9", "text": 12}).encode(), "invalid_text", "b9"),
    ]
    stream = [good[0]] + [b for b, _, _ in bad] + [b"", good[1]]
    proc = run_cli("assess", input=b"\n".join(stream) + b"\n")
    assert proc.returncode == 1, proc.stderr
    out = _lines(proc.stdout)
    assert len(out) == len(good) + len(bad)
    assert out[0]["id"] == "g1" and out[0]["self_harm"] in ("ideation", "plan", "imminent")
    assert out[-1]["id"] == "g2" and out[-1]["self_harm"] == "none"
    for record, (_, code, id_), line in zip(out[1:-1], bad, range(2, 2 + len(bad))):
        assert record["error"]["code"] == code
        assert record["line"] == line
        assert record["id"] == id_
        assert record["error"]["message"]
    assert b"assessed 2, failed 10" in proc.stderr


def test_clean_stream_exits_zero_and_keeps_order(tmp_path) -> None:
    src = tmp_path / "in.jsonl"
    dst = tmp_path / "out.jsonl"
    rows = [{"id": f"r{i}", "text": t} for i, t in enumerate(["halo", "aku capek", "kys", "bunuh nyamuk"] * 300)]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    proc = run_cli("assess", "--input", str(src), "--output", str(dst))
    assert proc.returncode == 0, proc.stderr
    out = _lines(dst.read_bytes())
    assert [o["id"] for o in out] == [r["id"] for r in rows]
    assert all(set(o) >= {"id", "self_harm", "labels", "language", "evidence", "probabilities"} for o in out)


def test_single_text_json() -> None:
    proc = run_cli("assess", "cara b*nuh d1ri paling cepet", "--surface", "search", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["self_harm"] == "ideation" and "method" in out["labels"]
    text = "cara b*nuh d1ri paling cepet"
    seen = [text[e["start"]:e["end"]] for e in out["evidence"]]  # spans of the original, through the offset map
    assert any("b*nuh" in s for s in seen) and any("d1ri" in s for s in seen), seen


def test_single_text_readable_verdict() -> None:
    proc = run_cli("assess", "aku capek banget, pengen tidur dan ga bangun lagi")
    assert proc.returncode == 0, proc.stderr
    assert "level: ideation" in proc.stdout.decode()


@pytest.mark.parametrize("args", [["assess", ""], ["assess", "halo", "--surface", "tweet"]])
def test_single_text_errors_are_clear(args) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 1
    assert b"error:" in proc.stderr and b"Got" in proc.stderr


def test_missing_model_is_an_error_not_a_fallback(tmp_path) -> None:
    proc = run_cli("assess", "halo", "--model", str(tmp_path))
    assert proc.returncode == 2
    assert b"model folder must hold model.json and model.npz" in proc.stderr


@pytest.mark.parametrize("chunk", [1, 3, 7])
def test_chunk_size_changes_nothing_but_speed(engine, chunk) -> None:
    """Records, errors and their order are the same whatever the chunk the stream assesses at once."""
    from ruangaman.assess.stream import StreamStats, assess_lines

    texts = ["halo", "aku capek banget", "kys", "bunuh nyamuk", "pengen mati aja", "makan yuk"] * 3
    lines = [json.dumps({"id": f"r{i}", "text": t}).encode() for i, t in enumerate(texts)]
    lines[4:4] = [b'{"id": "bad"', b"   "]  # an error record in place, a blank line skipped
    whole, stats = list(assess_lines(engine, lines)), StreamStats()
    assert list(assess_lines(engine, lines, stats, chunk=chunk)) == whole
    assert [r["id"] for r in whole] == [f"r{i}" for i in range(4)] + [None] + [f"r{i}" for i in range(4, 18)]
    assert (stats.ok, stats.failed) == (18, 1)
