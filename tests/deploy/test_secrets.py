"""Secret values: read before the first write, fingerprinted with the deploy key, and redacted
from everything the deployer says, even when the service quotes them back."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.deploy.errors import DeployError
from compiler.deploy.secrets import Redactor, Secrets, read_secrets
from tests.helpers import edit
from tests.support.deploy_fixtures import DEPLOY_KEY, base_env, build_estate, deploy
from tests.support.graph_emulator import Fault, GraphEmulator

PSK = 'psk-of-bbz-b-"quoted"-and-long'


@given(
    secret=st.text(min_size=3, max_size=40),
    before=st.binary(max_size=7),
    after=st.binary(max_size=7),
)
def test_a_redacted_secret_is_gone_from_text_raw_json_and_base64(
    secret: str, before: bytes, after: bytes
) -> None:
    r = Redactor()
    r.add(secret)
    assert secret not in r(f"a {secret} b")
    assert json.dumps(secret)[1:-1] not in r(json.dumps({"v": secret}))
    raw = secret.encode("utf-8")
    if len(raw) >= 9:  # shorter values give too short a base64 to find safely
        text = base64.b64encode(before + raw + after).decode()
        assert all(
            core not in r(text)
            for core in r.values
            if core.isascii() and len(core) >= 8 and core in text
        )
        assert "***" in r(text)


def test_fingerprints_depend_on_values_and_key_only() -> None:
    a = Secrets({"A": "1", "B": "2"}, b"k" * 16)
    assert a.fingerprint(["B", "A"]) == a.fingerprint(["A", "B"])
    assert a.fingerprint(["A"]) != Secrets({"A": "other"}, b"k" * 16).fingerprint(["A"])
    assert a.fingerprint(["A"]) != Secrets({"A": "1"}, b"j" * 16).fingerprint(["A"])
    assert a.fingerprint([]) is None and Secrets({"A": "1"}, None).fingerprint(["A"]) is None


def test_missing_values_and_a_short_key_are_named() -> None:
    with pytest.raises(DeployError, match="X_ONE, SCHOOLMDM_DEPLOY_KEY"):
        read_secrets(["X_ONE"], {}, Redactor(), required=True)
    with pytest.raises(DeployError, match="at least 16"):
        read_secrets(
            ["X_ONE"], {"X_ONE": "v", "SCHOOLMDM_DEPLOY_KEY": "short"}, Redactor(), required=True
        )
    values, missing = read_secrets(["X_ONE"], {}, Redactor(), required=False)
    assert missing == ["X_ONE", "SCHOOLMDM_DEPLOY_KEY"] and not values.values


def test_a_secret_the_service_quotes_back_never_reaches_output(
    mini_root: Path, emu: GraphEmulator, tmp_path: Path
) -> None:
    estate = tmp_path / "estate"
    shutil.copytree(mini_root, estate, ignore=shutil.ignore_patterns("build"))
    edit(
        estate,
        "schools/bbz-b/school.yaml",
        "security: wpa2-enterprise",
        "security: wpa2-personal\n    password: {secret: WIFI_EAP_BBZ_B}",
    )
    text = (estate / "schools/bbz-b/school.yaml").read_text()
    start = text.index("    eap:")
    (estate / "schools/bbz-b/school.yaml").write_text(
        text[:start] + text[text.index("  browser-home:") :]
    )
    build = build_estate(estate)
    emu.inject(Fault("400-echo", "POST", r"deviceConfigurations$", times=100, prop="preSharedKey"))
    env = base_env(WIFI_EAP_BBZ_B=PSK)
    r = deploy(build, emu, env=env)
    assert r.code == 1
    quoted = [o for o in r.ops(status="failed") if "Invalid value '***'" in (o["error"] or "")]
    assert quoted  # the service's message is kept, the value is not
    everything = r.out + r.err + json.dumps(r.report)
    assert (
        PSK not in everything
        and json.dumps(PSK)[1:-1] not in everything
        and DEPLOY_KEY not in everything
    )
