"""Documentation that must not drift from the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.main import get_command

from ruangaman.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented() -> None:
    for name, command in get_command(app).commands.items():
        assert f"ruangaman {name}" in README, f"README does not document `ruangaman {name}`"
        for sub in getattr(command, "commands", {}):  # groups: db, keys, policy, workshop
            assert f"ruangaman {name} {sub}" in README, f"README does not document `ruangaman {name} {sub}`"


def test_every_service_setting_is_documented() -> None:
    from ruangaman.service import SETTINGS

    for setting in SETTINGS:
        assert f"`{setting.env}`" in README, f"README does not document the setting {setting.env}"


def test_every_api_route_is_documented() -> None:
    doc = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    for path, methods in doc["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in README, f"README does not document {method.upper()} {path}"


def test_the_two_commands_are_in_the_readme() -> None:
    assert "./run.sh" in README and "./test.sh" in README


def test_specs_and_data_licences_are_in_the_repo() -> None:
    assert (ROOT / "docs" / "labels.md").exists()
    for source in (ROOT / "data" / "public").iterdir():
        assert (source / "SOURCE.md").exists() and any(source.glob("LICENSE*")), source
        assert source.name in README, f"README does not name the licence of {source.name}"


def test_quoted_figures_come_with_their_command() -> None:
    measured = README.split("## Measured", 1)[1].split("\n## ", 1)[0]
    for command in ("ruangaman eval data/validation/assess-dev.jsonl", "ruangaman bench",
                    "ruangaman info --eval data/info-eval/queries.jsonl", "ruangaman bench-api"):
        assert command in measured, f"figures in 'Measured' must name the command that made them: {command}"


def test_probe_figures_are_what_the_model_gives(engine) -> None:  # noqa: ANN001
    """The known weakness quoted in the READMEs (everyday messages called a crisis) is measured, not remembered:
    a retrained model that changes it must update both."""
    rows = [json.loads(line) for line in (ROOT / "data" / "probes" / "everyday-messages.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    crisis = {"ideation", "plan", "imminent"}
    as_message = sum(engine.assess(r["text"], r["surface"]).self_harm in crisis for r in rows)
    as_post = sum(engine.assess(r["text"], "post").self_harm in crisis for r in rows)
    probes = (ROOT / "data" / "probes" / "README.md").read_text(encoding="utf-8")
    assert f"called {as_message} of them a crisis (`ideation` or above)" in probes
    readme = re.sub(r"\s+", " ", README)
    assert f"calls {as_message} of them a crisis (`ideation` or above)" in readme
    assert f"As posts {as_post} of the same {len(rows)} are." in readme
