"""`deploy --target directory`: the build's files with secrets filled in from the environment
(parsed, never replaced as text) and signed when signing is configured, in a private folder
outside the estate; build/ itself never holds a secret value."""

from __future__ import annotations

import base64
import io
import json
import plistlib
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.deploy.buildread import load_build
from compiler.deploy.errors import DeployError
from compiler.deploy.run import RunArgs, run
from compiler.signing import Signer, load_signer
from tests.commands.test_deploy import cli
from tests.support.tools import require_tool

EAP = "eap-pass<&>\"word'"
# a WPA passphrase (8 to 63 printable ASCII characters) that plist text must escape
SECRET = "Pa$$<word>&'\"-2027"


def export(
    build: Path,
    out: Path,
    env: dict[str, str] | None = None,
    signer: Signer | None = None,
    schools: tuple[str, ...] = (),
) -> tuple[int, str]:
    args = RunArgs(
        build, "deploy", False, False, 5, schools, None, "https://graph.microsoft.com",
        signer, "directory", "", out,
    )  # fmt: skip
    err = io.StringIO()
    values = {"WIFI_PSK_GYM_A": SECRET, "WIFI_EAP_BBZ_B": EAP} if env is None else env
    return run(args, values, io.StringIO(), err), err.getvalue()


@pytest.fixture(scope="module")
def signer_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = require_tool("openssl", "openssl")
    folder = tmp_path_factory.mktemp("signer")
    cert, key = folder / "c.pem", folder / "k.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=schoolmdm export test"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_an_export_fills_every_secret_by_parsing_and_is_private(
    mini_build: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    code, err = export(mini_build, out)
    assert code == 0, err
    assert SECRET not in err and "keep it private" in err
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    wifi = plistlib.loads((out / "schools/gym-a/apple/wifi.mobileconfig").read_bytes())
    assert wifi["PayloadContent"][0]["Password"] == SECRET
    # Intune's copy: the .mobileconfig inside the Graph body, in base64
    body = json.loads((out / "schools/gym-a/apple/intune/wifi.json").read_text())["body"]
    inner = plistlib.loads(base64.b64decode(body["payload"]))
    assert inner["PayloadContent"][0]["Password"] == SECRET
    assert "${secret:" not in "".join(
        p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()
    )
    # build/ still holds only placeholders, and the export can never be deployed
    assert SECRET.encode() not in b"".join(p.read_bytes() for p in mini_build.rglob("*.*"))
    with pytest.raises(DeployError, match="holds secret values"):
        load_build(out)


def test_a_jamf_build_exports_filled_xml_payloads(jamf_build: Path, tmp_path: Path) -> None:
    code, err = export(jamf_build, tmp_path / "export")
    assert code == 0, err
    doc = json.loads((tmp_path / "export/schools/gym-a/apple/jamf/wifi.json").read_text())
    payload = plistlib.loads(doc["body"]["general"]["payloads"].encode("utf-8"))
    assert payload["PayloadContent"][0]["Password"] == SECRET


def test_profiles_are_signed_when_signing_is_configured(
    mini_build: Path, tmp_path: Path, signer_files: tuple[Path, Path]
) -> None:
    openssl = require_tool("openssl", "openssl")
    cert, key = signer_files
    out = tmp_path / "export"
    code, err = export(mini_build, out, signer=load_signer(cert, key, None))
    assert code == 0, err
    profile = out / "schools/gym-a/apple/wifi.mobileconfig"
    content = tmp_path / "content.plist"
    proc = subprocess.run(
        [openssl, "cms", "-verify", "-inform", "DER", "-in", str(profile), "-CAfile", str(cert),
         "-out", str(content), "-binary"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert plistlib.loads(content.read_bytes())["PayloadContent"][0]["Password"] == SECRET


def test_a_signed_build_with_secrets_needs_the_signer_again(
    mini_root: Path, tmp_path: Path, signer_files: tuple[Path, Path]
) -> None:
    cert, key = signer_files
    root = tmp_path / "estate"
    shutil.copytree(mini_root, root, ignore=shutil.ignore_patterns("build"))
    subprocess.run(
        [sys.executable, "-m", "compiler", "build", "--root", str(root), "--plist", "binary",
         "--sign-cert", str(cert), "--sign-key", str(key)],
        check=True, capture_output=True,
    )  # fmt: skip
    code, err = export(root / "build", tmp_path / "x")
    assert code == 1 and "signed again" in err and not (tmp_path / "x").exists()
    code, err = export(root / "build", tmp_path / "y", signer=load_signer(cert, key, None))
    assert code == 0, err
    openssl = require_tool("openssl", "openssl")
    content = tmp_path / "content.plist"
    proc = subprocess.run(
        [openssl, "cms", "-verify", "-inform", "DER", "-in",
         str(tmp_path / "y/schools/gym-a/apple/wifi.mobileconfig"), "-CAfile", str(cert),
         "-out", str(content), "-binary"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert content.read_bytes().startswith(b"bplist00")  # still the format the build chose
    assert plistlib.loads(content.read_bytes())["PayloadContent"][0]["Password"] == SECRET


def test_a_missing_or_unusable_secret_writes_nothing(mini_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    code, err = export(mini_build, out, env={"WIFI_EAP_BBZ_B": EAP})
    assert code == 1 and "WIFI_PSK_GYM_A" in err and not out.exists()
    bad = "line\x07bell-value"
    code, err = export(mini_build, out, env={"WIFI_PSK_GYM_A": bad, "WIFI_EAP_BBZ_B": EAP})
    assert code == 1 and "WIFI_PSK_GYM_A" in err and bad not in err and not out.exists()


def test_the_export_goes_only_where_it_cannot_be_committed_or_clobber(
    mini_root: Path, mini_build: Path, tmp_path: Path
) -> None:
    code, err = export(mini_build, mini_root / "export")
    assert code == 1 and "inside the estate" in err
    code, err = export(mini_build, mini_build / "x")
    assert code == 1 and "overlaps the build" in err
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.txt").write_text("mine")
    code, err = export(mini_build, other)
    assert code == 1 and "left alone" in err and (other / "thesis.txt").read_text() == "mine"
    out = tmp_path / "export"
    assert export(mini_build, out)[0] == 0
    (out / "stale.txt").write_text("from an old export")
    assert export(mini_build, out)[0] == 0  # an earlier export is replaced whole
    assert not (out / "stale.txt").exists()


def test_one_school_only(mini_build: Path, tmp_path: Path) -> None:
    code, err = export(
        mini_build, tmp_path / "x", env={"WIFI_PSK_GYM_A": SECRET}, schools=("gym-a",)
    )
    assert code == 0, err
    assert not list((tmp_path / "x").glob("schools/bbz-b/**/*.json"))


def test_cli_flags_go_together(mini_build: Path, tmp_path: Path) -> None:
    base = ["deploy", "--build", str(mini_build)]
    assert cli([*base, "--target", "directory"], {}, tmp_path).returncode == 2
    intune = [*base, "--target", "intune", "--out", str(tmp_path / "o")]
    assert cli(intune, {}, tmp_path).returncode == 2
    drift = ["drift", "--target", "directory", "--out", str(tmp_path / "o")]
    assert cli([*drift, "--build", str(mini_build)], {}, tmp_path).returncode == 2
    env = {"WIFI_PSK_GYM_A": SECRET, "WIFI_EAP_BBZ_B": EAP}
    ok = cli([*base, "--target", "directory", "--out", str(tmp_path / "e")], env, tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert SECRET not in ok.stdout + ok.stderr


def test_a_value_that_does_not_fit_its_slot_is_refused_naming_the_secret(
    mini_root: Path, tmp_path: Path
) -> None:
    short = "kurz"  # a WPA passphrase has 8 to 63 characters
    build = mini_root / "build"  # in its estate: values are checked by the slots they fill
    code, err = export(build, tmp_path / "x", env={"WIFI_PSK_GYM_A": short})
    assert code == 1 and "WIFI_PSK_GYM_A" in err and "WPA passphrase" in err
    assert short not in err.replace("WIFI_PSK_GYM_A", "") and not (tmp_path / "x").exists()
    code, err = export(build, tmp_path / "y", env={"WIFI_PSK_GYM_A": SECRET})
    assert code == 0, err
    assert "only for characters" not in err


def test_outside_an_estate_values_are_checked_only_for_characters(
    mini_build: Path, tmp_path: Path
) -> None:
    code, err = export(mini_build, tmp_path / "x", env={"WIFI_PSK_GYM_A": "kurz"})
    assert code == 0, err
    assert "checked only for characters" in err
