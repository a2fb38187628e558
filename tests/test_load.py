"""Load: every input file read strictly through a FileSource, limits applied before reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.load import load_estate
from compiler.source import DirectorySource
from tests.helpers import edit, findings, only, read, write


class GuardedSource(DirectorySource):
    """A working tree that refuses to read one file: proves a check happened before reading."""

    def __init__(self, root: Path, forbidden: str) -> None:
        super().__init__(root)
        self.forbidden = forbidden
        self.reads: list[str] = []

    def read(self, rel: str) -> bytes:
        assert rel != self.forbidden, f"{rel} was read"
        self.reads.append(rel)
        return super().read(rel)


def test_everything_is_loaded_with_ids_from_file_names(mini_estate: Path) -> None:
    raw, diags = load_estate(DirectorySource(mini_estate))
    assert diags == []
    assert sorted(raw.schools) == ["bbz-b", "gym-a"]
    assert sorted(raw.inventories) == ["bbz-b", "gym-a"]
    assert [d.serial for d in raw.inventories["gym-a"].devices] == [
        "DMPA00000001",
        "DMPA00000002",
        "DMPA00000003",
    ]
    assert raw.inventories["gym-a"].path == "schools/gym-a/devices.csv"
    assert "goodnotes" in raw.apps
    assert "wifi" in raw.profiles
    assert "templates/apple/wifi.yaml.j2" in raw.templates
    assert raw.schools["gym-a"].path == "schools/gym-a/school.yaml"
    assert raw.setting("payload_prefix") == "example.musterkreis.schulen"
    assert raw.setting("limits", "nope", default=7) == 7


def test_oversized_yaml_is_not_read(mini_estate: Path) -> None:
    write(mini_estate, "schools/gym-a/school.yaml", "#" * 1_048_577)
    src = GuardedSource(mini_estate, "schools/gym-a/school.yaml")
    _, diags = load_estate(src)
    assert [(d.path, d.code) for d in diags] == [("schools/gym-a/school.yaml", "file-too-large")]
    assert "schools/bbz-b/school.yaml" in src.reads


def test_oversized_csv_is_not_read(mini_estate: Path) -> None:
    edit(mini_estate, "schoolmdm.yaml", "max_csv_bytes: 4194304", "max_csv_bytes: 100")
    src = GuardedSource(mini_estate, "schools/bbz-b/devices.csv")
    _, diags = load_estate(src)
    assert {(d.path, d.code) for d in diags} == {
        ("schools/bbz-b/devices.csv", "file-too-large"),
        ("schools/gym-a/devices.csv", "file-too-large"),
    }


def test_estate_yaml_limit_applies_to_other_files(mini_estate: Path) -> None:
    edit(mini_estate, "schoolmdm.yaml", "max_yaml_bytes: 1048576", "max_yaml_bytes: 4000")
    text = read(mini_estate, "schools/gym-a/school.yaml")
    write(mini_estate, "schools/gym-a/school.yaml", text + "#" * 4000 + "\n")
    d = only(findings(mini_estate), "file-too-large")
    assert d.path == "schools/gym-a/school.yaml"
    assert "4000" in d.message


def test_files_in_schools_and_other_templates_are_ignored(mini_estate: Path) -> None:
    write(mini_estate, "schools/README.md", "# schools\n")
    write(mini_estate, "templates/apple/notes.txt", "not a template\n")
    raw, diags = load_estate(DirectorySource(mini_estate))
    assert diags == []
    assert sorted(raw.schools) == ["bbz-b", "gym-a"]
    assert "templates/apple/notes.txt" not in raw.templates


def test_broken_estate_file_is_reported_and_nothing_else_breaks(mini_estate: Path) -> None:
    write(mini_estate, "schoolmdm.yaml", "organisation: [\n")
    diags = findings(mini_estate)
    assert [(d.path, d.code) for d in diags] == [("schoolmdm.yaml", "yaml-syntax")]


def test_symbolic_links_are_never_followed(mini_estate: Path, tmp_path: Path) -> None:
    """A link to a file of the CI machine must not get its content quoted in a finding."""
    outside = tmp_path / "outside-secret.txt"
    outside.write_text("TOKEN=super-secret-value\n")
    school = mini_estate / "schools" / "gym-a" / "school.yaml"
    school.unlink()
    school.symlink_to(outside)
    (mini_estate / "schools" / "bbz-b" / "devices.csv").unlink()
    (mini_estate / "schools" / "bbz-b" / "devices.csv").symlink_to(outside)
    found = findings(mini_estate)
    assert {(d.path, d.code) for d in found} >= {
        ("schools/gym-a/school.yaml", "symlink"),
        ("schools/bbz-b/devices.csv", "symlink"),
    }
    assert not any("super-secret" in d.message + d.hint for d in found)


def test_a_file_that_cannot_be_read_is_a_finding(
    mini_estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from compiler.source import DirectorySource

    real = DirectorySource.read

    def read(self: DirectorySource, rel: str) -> bytes:
        if rel.endswith("devices.csv") or rel == "catalog/apps/pages.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self, rel)

    monkeypatch.setattr(DirectorySource, "read", read)
    diags = [d for d in findings(mini_estate) if d.code == "not-readable"]
    assert {d.path for d in diags} == {
        "catalog/apps/pages.yaml",
        "schools/gym-a/devices.csv",
        "schools/bbz-b/devices.csv",
    }
    assert all("Permission denied" in d.message for d in diags)
