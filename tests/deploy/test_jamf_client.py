"""Jamf Pro access tokens and the client: client credentials renewed before they expire, one
new token after a 401, a fixed token that cannot be renewed, pace limits, https only."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.deploy.errors import DeployError
from compiler.deploy.jamf_client import JamfToken, check_url, jamf_tokens
from compiler.deploy.pacing import Limit
from compiler.deploy.run import Tuning
from compiler.deploy.secrets import Redactor
from tests.support.deploy_fixtures import FAST
from tests.support.jamf_emulator import Fault, JamfEmulator, Limits
from tests.support.jamf_fixtures import deploy_jamf, jamf_env, owned_jamf, seed_jamf

CLIENT = ("schoolmdm-deploy", "jamf-client-secret-0123")


def client_env() -> dict[str, str]:
    env = jamf_env(JAMF_CLIENT_ID=CLIENT[0], JAMF_CLIENT_SECRET=CLIENT[1])
    del env["SCHOOLMDM_JAMF_TOKEN"]
    return env


def test_a_token_is_renewed_before_it_expires() -> None:
    now = [0.0]
    with JamfEmulator(token=None, client=CLIENT, limits=Limits(token_lifetime=300)) as emu:
        tokens = JamfToken(emu.url, *CLIENT, Redactor(), clock=lambda: now[0])
        first = tokens.token()
        now[0] = 200.0
        assert tokens.token() == first and not tokens.stale()
        now[0] = 241.0  # a minute before it expires: a new one
        assert tokens.stale()
        assert tokens.token() != first
        assert emu.stats.tokens_issued == 2


def test_a_long_run_with_short_lived_tokens_never_meets_a_401(jamf_build: Path) -> None:
    limits = Limits(token_lifetime=1.5)
    with JamfEmulator(token=None, client=CLIENT, limits=limits) as emu:
        seed_jamf(emu)
        emu.inject(Fault("latency", "GET", None, times=40, delay=0.1))
        r = deploy_jamf(jamf_build, emu, env=client_env())
        assert r.code == 0, r.err
        assert emu.stats.tokens_issued >= 2 and emu.stats.unauthorized == 0
        assert CLIENT[1] not in r.out + r.err + str(r.report)


def test_one_new_token_after_a_401(jamf_build: Path) -> None:
    with JamfEmulator(token=None, client=CLIENT) as emu:
        seed_jamf(emu)
        emu.inject(Fault("401", "POST", None, times=1))
        r = deploy_jamf(jamf_build, emu, env=client_env())
        assert r.code == 0, r.err
        assert emu.stats.tokens_issued == 2


def test_wrong_credentials_are_a_clear_error_without_the_secret(jamf_build: Path) -> None:
    with JamfEmulator(token=None, client=CLIENT) as emu:
        env = client_env()
        env["JAMF_CLIENT_SECRET"] = "wrong-secret-value-99"
        r = deploy_jamf(jamf_build, emu, env=env)
        assert r.code == 1
        assert "refused the API client's credentials" in r.err
        assert "wrong-secret-value-99" not in r.out + r.err + str(r.report)


def test_a_fixed_token_that_expired_stops_the_run_saying_so(
    jamf_build: Path, jamf: JamfEmulator
) -> None:
    jamf.expire_tokens()
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 1
    assert "SCHOOLMDM_JAMF_TOKEN is a fixed token" in r.err
    assert jamf.stats.writes == 0


def test_no_credentials_is_a_clear_error() -> None:
    with pytest.raises(DeployError, match="JAMF_CLIENT_ID and JAMF_CLIENT_SECRET"):
        jamf_tokens({}, "https://x.jamfcloud.com", Redactor())


def test_only_https_or_a_loopback_server() -> None:
    assert check_url("https://schulen.jamfcloud.com/") == "https://schulen.jamfcloud.com"
    assert check_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    with pytest.raises(DeployError, match="clear text"):
        check_url("http://jamf.schulen.example")


def test_the_client_paces_itself_to_the_servers_limits(jamf_build: Path) -> None:
    limits = Limits(window=1.0, writes=4, requests=12, concurrent=5)
    with JamfEmulator(token="t", limits=limits) as emu:
        seed_jamf(emu)
        tuning = Tuning(
            limits={"jamf": Limit(writes=4, requests=12, window=1.0)}, policy=FAST.policy
        )
        r = deploy_jamf(jamf_build, emu, env=jamf_env(SCHOOLMDM_JAMF_TOKEN="t"), tuning=tuning)
        assert r.code == 0, r.err
        assert emu.stats.throttled == 0
        assert len(owned_jamf(emu)) == 10


def test_throttling_is_waited_out(jamf_build: Path, jamf: JamfEmulator) -> None:
    jamf.inject(Fault("429", None, None, times=3, retry_after=0.0))
    r = deploy_jamf(jamf_build, jamf)
    assert r.code == 0, r.err
    assert jamf.stats.throttled == 3
