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


# --- signing material from files or from variables; nothing of it ever reaches a message ------


CA_CONFIG = """\
[ca]
default_ca = d
[d]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
"""


def issue(folder: Path, name: str, start: str, end: str) -> tuple[Path, Path]:
    """A certificate signed by a throwaway CA with exactly these dates (openssl ca)."""
    openssl = require_tool("openssl", "openssl")
    folder.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=folder, check=True, capture_output=True)

    if not (folder / "ca.pem").exists():
        (folder / "index.txt").write_text("")
        (folder / "serial").write_text("01\n")
        (folder / "ca.cnf").write_text(CA_CONFIG)
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "3", "-subj", "/CN=schoolmdm test CA")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
        "-subj", f"/CN={name}")  # fmt: skip
    run("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in",
        f"{name}.csr", "-out", f"{name}.pem", "-startdate", start, "-enddate", end, "-notext")  # fmt: skip
    return folder / f"{name}.pem", folder / f"{name}.key"


def build_signed(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", "--root", str(root), *args], env=env or {})
    return result.exit_code, result.output


def test_pem_text_in_the_environment_signs(tmp_path: Path, signing_pair: tuple[Path, Path]) -> None:
    # how CI secret stores hold it: SCHOOLMDM_SIGN_KEY="$(cat key.pem)"
    cert, key = signing_pair
    root = copy_example(tmp_path / "e")
    school = apple_school(root)
    env = {"SCHOOLMDM_SIGN_CERT": cert.read_text(), "SCHOOLMDM_SIGN_KEY": key.read_text()}
    code, output = build_signed(root, "--school", school, env=env)
    assert code == 0, output
    signed = sorted((root / "build" / "schools" / school / "apple").glob("*.mobileconfig"))[0]
    assert cms_verify(signed, cert, tmp_path / "c.plist").returncode == 0


def _key_lines(key: Path) -> list[str]:
    return [line for line in key.read_text().splitlines() if "-----" not in line]


@pytest.mark.parametrize("how", ["mangled-pem", "no-header", "truncated"])
def test_no_error_ever_prints_key_material(
    tmp_path: Path, signing_pair: tuple[Path, Path], how: str
) -> None:
    cert, key = signing_pair
    text = key.read_text()
    bad = {
        "mangled-pem": text.replace("PRIVATE KEY-----\n", "PRIVATE KEY-----\n!!", 1),
        "no-header": "".join(_key_lines(key)),  # one long line: looks like neither text nor file
        "truncated": text[: len(text) // 2],
    }[how]
    root = copy_example(tmp_path / "e")
    code, output = build_signed(
        root, env={"SCHOOLMDM_SIGN_CERT": str(cert), "SCHOOLMDM_SIGN_KEY": bad}
    )
    assert code == 2
    assert "signing key" in output
    for line in _key_lines(key):
        assert line[:20] not in output
    assert not (root / "build").exists()


def test_each_files_error_names_that_file(tmp_path: Path, signing_pair: tuple[Path, Path]) -> None:
    cert, key = signing_pair
    root = copy_example(tmp_path / "e")
    missing = str(tmp_path / "nope.pem")
    code, output = build_signed(root, "--sign-cert", missing, "--sign-key", str(key))
    assert code == 2 and "signing certificate" in output and "nope.pem" in output
    code, output = build_signed(root, "--sign-cert", str(cert), "--sign-key", missing)
    assert code == 2 and "signing key" in output and "nope.pem" not in output
    garbage = tmp_path / "chain.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    code, output = build_signed(
        root, "--sign-cert", str(cert), "--sign-key", str(key), "--sign-chain", str(garbage)
    )
    assert code == 2 and "certificate chain" in output
    assert "signing certificate" not in output and "signing key" not in output


def test_expired_and_not_yet_valid_certificates_are_refused_with_their_dates(
    tmp_path: Path,
) -> None:
    old_cert, old_key = issue(tmp_path / "ca", "expired", "20200101000000Z", "20210101000000Z")
    new_cert, new_key = issue(tmp_path / "ca", "future", "20990101000000Z", "21000101000000Z")
    root = copy_example(tmp_path / "e")
    code, output = build_signed(root, "--sign-cert", str(old_cert), "--sign-key", str(old_key))
    assert code == 2
    assert "expired on 2021-01-01 00:00 UTC" in output and "2020-01-01" in output
    code, output = build_signed(root, "--sign-cert", str(new_cert), "--sign-key", str(new_key))
    assert code == 2
    assert "not valid yet" in output and "2099-01-01 00:00 UTC" in output
    assert not (root / "build").exists()


def test_an_expired_certificate_in_the_chain_is_refused(
    tmp_path: Path, signing_pair: tuple[Path, Path]
) -> None:
    cert, key = signing_pair
    old_cert, _ = issue(tmp_path / "ca", "old-intermediate", "20200101000000Z", "20210101000000Z")
    with pytest.raises(SigningError, match=r"certificate chain.*expired"):
        load_signer(cert, key, old_cert)


def test_encrypted_keys_need_their_passphrase(
    tmp_path: Path, signing_pair: tuple[Path, Path]
) -> None:
    openssl = require_tool("openssl", "openssl")
    cert, key = signing_pair
    encrypted = tmp_path / "enc.key"
    subprocess.run(
        [openssl, "pkey", "-in", str(key), "-aes256", "-passout", "pass:Geheim-123", "-out", str(encrypted)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    root = copy_example(tmp_path / "e")
    school = apple_school(root)
    args = ["--school", school, "--sign-cert", str(cert), "--sign-key", str(encrypted)]
    code, output = build_signed(root, *args)
    assert code == 2 and "encrypted" in output and "SCHOOLMDM_SIGN_KEY_PASSWORD" in output
    code, output = build_signed(root, *args, env={"SCHOOLMDM_SIGN_KEY_PASSWORD": "wrong"})
    assert code == 2 and "passphrase does not open" in output and "wrong" not in output
    code, output = build_signed(root, *args, env={"SCHOOLMDM_SIGN_KEY_PASSWORD": "Geheim-123"})
    assert code == 0, output
    code, output = build_signed(
        root, *args, "--sign-key-password-env", "MY_PASS", env={"MY_PASS": "Geheim-123"}
    )
    assert code == 0, output
    code, output = build_signed(root, *args, "--sign-key-password-env", "UNSET_PASS")
    assert code == 2 and "UNSET_PASS is not set" in output
