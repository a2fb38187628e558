"""The content of CMS SignedData, as signed by openssl (DER and streamed BER) and by us."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.plan.cms import CmsError, is_signed_data, signed_content
from compiler.signing import load_signer
from tests.support.tools import require_tool

PLIST = b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>SSID_STR</key><string>Schule</string></dict></plist>\n'


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = require_tool("openssl", "openssl")
    folder = tmp_path_factory.mktemp("cms")
    cert, key = folder / "c.pem", folder / "k.pem"
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
            "/CN=plan test",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize("stream", [False, True], ids=["der", "ber-indefinite"])
def test_openssl_signed_content(pair: tuple[Path, Path], tmp_path: Path, stream: bool) -> None:
    openssl = require_tool("openssl", "openssl")
    cert, key = pair
    (tmp_path / "p.plist").write_bytes(PLIST)
    args = [openssl, "cms", "-sign", "-in", str(tmp_path / "p.plist"), "-signer", str(cert)]
    args += ["-inkey", str(key), "-outform", "DER", "-nodetach", "-binary"]
    args += ["-out", str(tmp_path / "s.der")] + (["-stream"] if stream else [])
    subprocess.run(args, check=True, capture_output=True)
    data = (tmp_path / "s.der").read_bytes()
    assert (data[1] == 0x80) is stream  # streamed: indefinite lengths
    assert is_signed_data(data)
    assert signed_content(data) == PLIST


def test_our_signer(pair: tuple[Path, Path]) -> None:
    signer = load_signer(*pair, None)
    assert signed_content(signer.sign(PLIST)) == PLIST


def test_detached_signature_has_no_content(pair: tuple[Path, Path], tmp_path: Path) -> None:
    openssl = require_tool("openssl", "openssl")
    cert, key = pair
    (tmp_path / "p.plist").write_bytes(PLIST)
    subprocess.run(
        [
            openssl,
            "cms",
            "-sign",
            "-in",
            str(tmp_path / "p.plist"),
            "-signer",
            str(cert),
            "-inkey",
            str(key),
            "-outform",
            "DER",
            "-binary",
            "-out",
            str(tmp_path / "d.der"),
        ],
        check=True,
        capture_output=True,
    )
    with pytest.raises(CmsError, match="detached"):
        signed_content((tmp_path / "d.der").read_bytes())


@given(st.binary(max_size=400))
def test_any_bytes_give_content_or_cms_error(data: bytes) -> None:
    with contextlib.suppress(CmsError):
        signed_content(data)


@given(st.integers(min_value=0, max_value=200), st.binary(min_size=1, max_size=8))
def test_truncated_or_damaged_signatures_never_crash(cut: int, junk: bytes) -> None:
    signed = bytes.fromhex("3080") + bytes.fromhex("06092a864886f70d010702") + b"\xa0\x80" + junk
    for data in (signed[:cut], signed + junk, b"\x30\x84\xff\xff\xff\xff" + junk):
        with contextlib.suppress(CmsError):
            signed_content(data)
