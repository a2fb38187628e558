"""Secrets in iPad profiles are filled by re-serialising the plist (and signing again), never by
text replacement: checked with plistutil (libplist) and openssl as independent readers."""

from __future__ import annotations

import base64
import plistlib
import subprocess
from pathlib import Path

import pytest

from compiler.deploy import mobileconfig
from compiler.deploy.errors import DeployError
from compiler.signing import Signer, load_signer
from tests.support.tools import require_tool
from tests.test_signing import cms_verify

HOSTILE = "</string><key>x</key>&amp;]]> ${secret:OTHER} \"'ü€"
PROFILE = {
    "PayloadType": "Configuration",
    "PayloadContent": [
        {"PayloadType": "com.apple.wifi.managed", "Password": "${secret:PSK}", "SSID_STR": "School"}
    ],
}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def plistutil_read(data: bytes, tmp_path: Path) -> dict[str, object]:
    tool = require_tool("plistutil", "libplist-utils")
    src, out = tmp_path / "in.plist", tmp_path / "out.plist"
    src.write_bytes(data)
    subprocess.run(
        [tool, "-i", str(src), "-o", str(out), "-f", "xml"], check=True, capture_output=True
    )
    loaded: dict[str, object] = plistlib.loads(out.read_bytes())
    return loaded


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = require_tool("openssl", "openssl")
    folder = tmp_path_factory.mktemp("signer")
    cert, key = folder / "signer.pem", folder / "signer.key"
    args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        [openssl, *args, "-days", "2", "-subj", "/CN=deploy test"], check=True, capture_output=True
    )
    return cert, key


@pytest.mark.parametrize("fmt", [plistlib.FMT_XML, plistlib.FMT_BINARY])
def test_fill_keeps_a_valid_plist_whatever_the_value(
    fmt: plistlib.PlistFormat, tmp_path: Path
) -> None:
    payload = b64(plistlib.dumps(PROFILE, fmt=fmt))
    filled = base64.b64decode(mobileconfig.fill(payload, {"PSK": HOSTILE}, None, "k"))
    assert filled.startswith(b"bplist") == (fmt == plistlib.FMT_BINARY)
    read = plistutil_read(filled, tmp_path)
    assert read["PayloadContent"] == [{**PROFILE["PayloadContent"][0], "Password": HOSTILE}]  # type: ignore[index]


def test_a_signed_profile_is_signed_again_after_filling(
    tmp_path: Path, pair: tuple[Path, Path]
) -> None:
    cert, key = pair
    signer = load_signer(cert, key, None)
    signed = b64(signer.sign(plistlib.dumps(PROFILE)))
    with pytest.raises(DeployError, match="SCHOOLMDM_SIGN_CERT"):
        mobileconfig.fill(signed, {"PSK": "x" * 12}, None, "gym-a/apple/intune-profile/wifi")
    out = tmp_path / "filled.der"
    out.write_bytes(base64.b64decode(mobileconfig.fill(signed, {"PSK": HOSTILE}, signer, "k")))
    proc = cms_verify(out, cert, tmp_path / "content.plist")
    assert proc.returncode == 0, proc.stderr
    assert (
        plistlib.loads((tmp_path / "content.plist").read_bytes())["PayloadContent"][0]["Password"]
        == HOSTILE
    )


def test_parse_reads_signed_and_unsigned_payloads(pair: tuple[Path, Path]) -> None:
    signer: Signer = load_signer(*pair, None)
    plain = plistlib.dumps(PROFILE)
    assert mobileconfig.parse(b64(plain)) == PROFILE
    assert mobileconfig.parse(b64(signer.sign(plain))) == PROFILE
    assert mobileconfig.signed_content(plain) is None
    for junk in (None, "", "****", "not base64!", b64(b"\x30\x82\xff"), b64(b"<plist")):
        assert mobileconfig.parse(junk) is None
