"""`schoolmdm new-school`: a new folder that validates as it is, or a usage error."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import check_estate
from compiler.source import DirectorySource
from tests.helpers import findings, read, run_cli


def new(root: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli(["new-school", *args], root)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("platform", ["apple", "windows"])
def test_new_school_validates(mini_estate: Path, platform: str) -> None:
    code, out, _ = new(mini_estate, "gs-west", "--platform", platform, "--type", "grundschule")
    assert code == 0
    assert "schools/gs-west/school.yaml" in out
    folder = mini_estate / "schools" / "gs-west"
    assert sorted(p.name for p in folder.iterdir()) == ["devices.csv", "school.yaml"]
    assert findings(mini_estate) == []
    estate, _ = check_estate(DirectorySource(mini_estate))
    assert estate is not None
    school = estate.schools["gs-west"]
    assert (school.id, school.platform, school.type) == ("gs-west", platform, "grundschule")
    assert school.name == "gs-west"
    assert estate.inventories["gs-west"] == []


def test_new_school_leaves_no_temporary_folder(mini_estate: Path) -> None:
    new(mini_estate, "gs-west", "--platform", "apple", "--type", "grundschule")
    assert sorted(p.name for p in (mini_estate / "schools").iterdir()) == [
        "bbz-b",
        "gs-west",
        "gym-a",
    ]


def test_new_school_with_name_and_maintainer(mini_estate: Path) -> None:
    code, _, _ = new(
        mini_estate,
        "gs-west",
        "--platform",
        "windows",
        "--type",
        "grundschule",
        "--name",
        "Grundschule West",
        "--maintainer",
        "@example-org/gs-west",
    )
    assert code == 0
    text = read(mini_estate, "schools/gs-west/school.yaml")
    assert text.startswith(
        "# yaml-language-server: $schema=../../schemas/school.estate.schema.json\n"
    )
    assert "@example-org/gs-west" in text
    estate, diags = check_estate(DirectorySource(mini_estate))
    assert diags == []
    assert estate is not None
    assert estate.schools["gs-west"].name == "Grundschule West"
    assert estate.schools["gs-west"].maintainers == ("@example-org/gs-west",)


@pytest.mark.parametrize(
    "name",
    [
        "Grundschule Am Bach: Süd #2",
        "Schule {{ 7*7 }} & </string>",
        "BBZ Technik\\Elektro",
        "Förderzentrum 'Lindenau'",
        "yes",
        "012",
    ],
)
def test_new_school_keeps_the_name_exactly(mini_estate: Path, name: str) -> None:
    code, _, _ = new(
        mini_estate, "gs-west", "--platform", "apple", "--type", "grundschule", "--name", name
    )
    assert code == 0
    estate, diags = check_estate(DirectorySource(mini_estate))
    assert diags == []
    assert estate is not None
    assert estate.schools["gs-west"].name == name


def test_new_school_name_with_double_quotes_validates(mini_estate: Path) -> None:
    code, _, _ = new(
        mini_estate,
        "gs-west",
        "--platform",
        "apple",
        "--type",
        "grundschule",
        "--name",
        'Grundschule "Am Bach"',
    )
    assert code == 0
    assert findings(mini_estate) == []


def test_existing_id_is_refused(mini_estate: Path) -> None:
    before = read(mini_estate, "schools/gym-a/school.yaml")
    code, _, err = new(mini_estate, "gym-a", "--platform", "windows", "--type", "grundschule")
    assert code == 2
    assert "already exists" in err
    assert read(mini_estate, "schools/gym-a/school.yaml") == before


@pytest.mark.parametrize("bad", ["GS-West", "gs_west", "gs-", "gs west", "a" * 33, "gs.west", "ä"])
def test_bad_id_is_refused(mini_estate: Path, bad: str) -> None:
    code, _, err = new(mini_estate, bad, "--platform", "apple", "--type", "grundschule")
    assert code == 2
    assert "ID" in err
    assert not (mini_estate / "schools" / bad).exists()
    assert sorted(p.name for p in (mini_estate / "schools").iterdir()) == ["bbz-b", "gym-a"]


def test_longest_id_is_accepted(mini_estate: Path) -> None:
    sid = "a" * 32
    code, _, _ = new(mini_estate, sid, "--platform", "apple", "--type", "grundschule")
    assert code == 0
    assert findings(mini_estate) == []


@pytest.mark.parametrize(
    "args",
    [
        ["gs-west", "--type", "grundschule"],
        ["gs-west", "--platform", "android", "--type", "grundschule"],
        ["gs-west", "--platform", "apple", "--type", "kita"],
        ["gs-west", "--platform", "apple"],
    ],
)
def test_bad_options_are_usage_errors(mini_estate: Path, args: list[str]) -> None:
    code, _, _ = new(mini_estate, *args)
    assert code == 2
    assert not (mini_estate / "schools" / "gs-west").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--maintainer", "bob"), ("--maintainer", '@org/"x'), ("--name", "x" * 101)],
)
def test_a_value_the_school_schema_rejects_is_a_usage_error(
    mini_estate: Path, option: str, value: str
) -> None:
    # new-school promises a folder that validates: refuse instead of writing a broken one
    code, _, _ = new(
        mini_estate, "gs-west", "--platform", "apple", "--type", "grundschule", option, value
    )
    assert code == 2
    assert not (mini_estate / "schools" / "gs-west").exists()


def test_new_school_from_a_subfolder(mini_estate: Path) -> None:
    result = run_cli(
        ["new-school", "gs-west", "--platform", "apple", "--type", "grundschule"],
        mini_estate / "schools" / "gym-a",
    )
    assert result.exit_code == 0
    assert (mini_estate / "schools" / "gs-west" / "school.yaml").is_file()


def test_new_school_with_root_option(mini_estate: Path, tmp_path: Path) -> None:
    result = run_cli(
        [
            "new-school",
            "--root",
            str(mini_estate),
            "gs-west",
            "--platform",
            "apple",
            "--type",
            "grundschule",
        ],
        tmp_path.parent,
    )
    assert result.exit_code == 0
    assert (mini_estate / "schools" / "gs-west" / "school.yaml").is_file()


def test_a_leftover_temporary_folder_of_an_interrupted_run_is_handled(mini_estate: Path) -> None:
    leftover = mini_estate / "schools" / ".gs-west.tmp"
    leftover.mkdir()
    (leftover / "school.yaml").write_text("half")
    code, _, err = new(mini_estate, "gs-west", "--platform", "apple", "--type", "grundschule")
    assert code == 0, err
    assert not leftover.exists()
    assert findings(mini_estate) == []


def test_a_name_with_a_control_character_is_a_usage_error(mini_estate: Path) -> None:
    code, _, err = new(
        mini_estate, "gs-west", "--platform", "apple", "--type", "grundschule", "--name", "A\x07B"
    )
    assert code == 2
    assert "U+0007" in err
    assert not (mini_estate / "schools" / "gs-west").exists()
