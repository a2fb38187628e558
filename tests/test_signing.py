"""Signed profiles verify with openssl and embed the unsigned profile byte for byte."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import cli
from compiler.signing import SigningError, load_signer
from tests.render.conftest import copy_example, run_build
from tests.support.tools import require_tool


@pytest.fixture(scope="module")
def signing_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = require_tool("openssl", "openssl")
    folder = tmp_path_factory.mktemp("signer")
    cert, key = folder / "signer.pem", folder / "signer.key"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=schoolmdm test signer",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def cms_verify(path: Path, ca: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    """openssl's own check of a DER CMS signature; the signed content is written to `out`."""
    openssl = require_tool("openssl", "openssl")
    args = [
        "cms",
        "-verify",
        "-inform",
        "DER",
        "-in",
        str(path),
        "-CAfile",
        str(ca),
        "-out",
        str(out),
        "-binary",
    ]
    return subprocess.run([openssl, *args, *extra], capture_output=True, check=False)


def apple_school(root: Path) -> str:
    return sorted(
        p.parent.name
        for p in (root / "schools").glob("*/school.yaml")
        if "platform: apple" in p.read_text()
    )[0]


def test_signed_profiles_verify_and_embed_the_plist(
    tmp_path: Path, signing_pair: tuple[Path, Path]
) -> None:
    require_tool("openssl", "openssl")
    cert, key = signing_pair
    root = copy_example(tmp_path / "e")
    school = apple_school(root)
    unsigned = run_build(root, "--school", school, "--out", str(tmp_path / "plain"))
    signed = run_build(
        root,
        "--school",
        school,
        "--out",
        str(tmp_path / "signed"),
        "--sign-cert",
        str(cert),
        "--sign-key",
        str(key),
    )
    files = sorted(signed.glob(f"schools/{school}/apple/*.mobileconfig"))
    assert files
    for path in files:
        out = tmp_path / "content.plist"
        proc = cms_verify(path, cert, out)
        assert proc.returncode == 0, proc.stderr
        assert out.read_bytes() == (unsigned / path.relative_to(signed)).read_bytes()


def test_signing_from_environment(tmp_path: Path, signing_pair: tuple[Path, Path]) -> None:
    cert, key = signing_pair
    root = copy_example(tmp_path / "e")
    school = apple_school(root)
    result = CliRunner().invoke(
        cli,
        ["build", "--root", str(root), "--school", school],
        env={"SCHOOLMDM_SIGN_CERT": str(cert), "SCHOOLMDM_SIGN_KEY": str(key)},
    )
    assert result.exit_code == 0, result.output
    first = sorted((root / "build" / "schools" / school / "apple").glob("*.mobileconfig"))[0]
    assert first.read_bytes()[:1] == b"\x30"  # DER SEQUENCE, not an XML plist


def test_key_must_match_certificate(tmp_path: Path, signing_pair: tuple[Path, Path]) -> None:
    openssl = require_tool("openssl", "openssl")
    cert, _ = signing_pair
    other = tmp_path / "other.key"
    subprocess.run([openssl, "genrsa", "-out", str(other), "2048"], check=True, capture_output=True)
    with pytest.raises(SigningError, match="does not belong"):
        load_signer(cert, other, None)
    root = copy_example(tmp_path / "e")
    result = CliRunner().invoke(
        cli, ["build", "--root", str(root), "--sign-cert", str(cert), "--sign-key", str(other)]
    )
    assert result.exit_code == 2
    assert "does not belong" in result.output
    assert not (root / "build").exists()


def test_secrets_from_env(tmp_path: Path) -> None:
    import yaml

    root = copy_example(tmp_path / "e")
    school = apple_school(root)
    entries = yaml.safe_load((root / "secrets.yaml").read_text())["secrets"]
    names = sorted(entries)
    own = [n for n in names if entries[n].get("schools") == [school]]
    others = [n for n in names if n not in own]
    assert own and others
    result = CliRunner().invoke(
        cli,
        ["build", "--root", str(root), "--school", school, "--secrets-from-env"],
        env={others[0]: "x"},
    )
    # a one-school build asks only for that school's secrets
    assert result.exit_code == 1
    assert own[0] in result.output
    assert not any(n in result.output for n in others)
    env = {n: f"value-of-{n.lower()}" for n in names}
    result = CliRunner().invoke(
        cli, ["build", "--root", str(root), "--school", school, "--secrets-from-env"], env=env
    )
    assert result.exit_code == 0, result.output
    wifi = (root / "build" / "schools" / school / "apple" / "wifi.mobileconfig").read_text()
    assert "value-of-" in wifi and "${secret:" not in wifi


def test_intermediate_chain_is_embedded(tmp_path: Path) -> None:
    """Signed by a leaf under an intermediate: verifying against the root alone needs the chain."""
    openssl = require_tool("openssl", "openssl")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, cwd=tmp_path)

    ext = tmp_path / "ext.cnf"
    ext.write_text(
        "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n[leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
    )
    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-days",
        "2",
        "-subj",
        "/CN=test root",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "int.key",
        "-out",
        "int.csr",
        "-subj",
        "/CN=test intermediate",
    )
    run(
        "x509",
        "-req",
        "-in",
        "int.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-out",
        "int.pem",
        "-days",
        "2",
        "-extfile",
        str(ext),
        "-extensions",
        "ca",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=test leaf",
    )
    run(
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "int.pem",
        "-CAkey",
        "int.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        str(ext),
        "-extensions",
        "leaf",
    )
    root = copy_example(tmp_path / "e")
    school = apple_school(root)

    def verify(build: Path) -> int:
        path = sorted(build.glob(f"schools/{school}/apple/*.mobileconfig"))[0]
        return cms_verify(
            path, tmp_path / "root.pem", tmp_path / "out", "-purpose", "any"
        ).returncode

    common = [
        "--school",
        school,
        "--sign-cert",
        str(tmp_path / "leaf.pem"),
        "--sign-key",
        str(tmp_path / "leaf.key"),
    ]
    without = run_build(root, *common, "--out", str(tmp_path / "without"))
    with_chain = run_build(
        root, *common, "--sign-chain", str(tmp_path / "int.pem"), "--out", str(tmp_path / "with")
    )
    assert verify(without) != 0
    assert verify(with_chain) == 0
