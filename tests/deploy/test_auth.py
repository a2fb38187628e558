"""Signing in with MSAL against a loopback HTTPS sign-in server (a throwaway CA): client
credentials, GitHub Actions workload identity federation, one refresh on a 401."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.deploy.auth import AUDIENCE, MsalToken, StaticToken, token_source
from compiler.deploy.errors import DeployError
from compiler.deploy.secrets import Redactor
from tests.support.deploy_fixtures import base_env, deploy
from tests.support.graph_emulator import Fault, GraphEmulator
from tests.support.token_server import TokenServer

CLIENT_SECRET = "client-secret-value-42"
OIDC_BEARER = "actions-request-token-17"
OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.github-oidc-token.sig"


@pytest.fixture
def signin(
    tmp_path: Path, emu: GraphEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TokenServer]:
    with TokenServer(tmp_path, CLIENT_SECRET, OIDC_BEARER, OIDC_TOKEN) as srv:
        # requests (under MSAL) and httpx read these from the process environment
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(srv.ca_file))
        monkeypatch.setenv("SSL_CERT_FILE", str(srv.ca_file))
        srv.accept = emu.tokens
        yield srv


def entra_env(srv: TokenServer, **extra: str) -> dict[str, str]:
    env = base_env(
        AZURE_TENANT_ID="tenant-1",
        AZURE_CLIENT_ID="client-1",
        AZURE_AUTHORITY_HOST=srv.url,
        REQUESTS_CA_BUNDLE=str(srv.ca_file),
        SSL_CERT_FILE=str(srv.ca_file),
        **extra,
    )
    del env["SCHOOLMDM_GRAPH_TOKEN"]
    return env


def test_client_credentials(
    mini_build: Path, emu: GraphEmulator, signin: TokenServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = entra_env(signin, AZURE_CLIENT_SECRET=CLIENT_SECRET)
    r = deploy(mini_build, emu, env=env)
    assert r.code == 0, r.err
    [req] = signin.issued.requests
    assert req["client_id"] == "client-1" and req["scope"] == "https://graph.microsoft.com/.default"
    assert CLIENT_SECRET not in r.out + r.err + str(r.report)


def test_workload_identity_federation_from_github_actions(
    mini_build: Path, emu: GraphEmulator, signin: TokenServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = entra_env(
        signin,
        ACTIONS_ID_TOKEN_REQUEST_URL=f"{signin.url}/oidc",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=OIDC_BEARER,
    )
    r = deploy(mini_build, emu, env=env)
    assert r.code == 0, r.err
    [oidc] = signin.issued.oidc
    assert oidc["audience"] == AUDIENCE == "api://AzureADTokenExchange"
    [req] = signin.issued.requests
    assert req["client_assertion"] == OIDC_TOKEN and "client_secret" not in req
    assert OIDC_TOKEN not in r.out + r.err and OIDC_BEARER not in r.out + r.err


def test_one_refresh_after_a_401(mini_build: Path, emu: GraphEmulator, signin: TokenServer) -> None:
    emu.inject(Fault("401", "POST", r"deviceConfigurations$"))
    r = deploy(mini_build, emu, env=entra_env(signin, AZURE_CLIENT_SECRET=CLIENT_SECRET))
    assert r.code == 0, r.err
    assert len(signin.issued.tokens) == 2


def test_a_wrong_secret_is_a_clear_error_without_the_secret(
    signin: TokenServer, tmp_path: Path
) -> None:
    env = entra_env(signin, AZURE_CLIENT_SECRET="wrong-secret-value")
    source = token_source(env, "https://graph.microsoft.com", Redactor())
    assert isinstance(source, MsalToken)
    with pytest.raises(DeployError) as exc:
        source.token()
    assert "AADSTS7000215" in str(exc.value) and "wrong-secret-value" not in str(exc.value)


def test_the_ready_token_wins_and_cannot_be_refreshed() -> None:
    source = token_source(
        {"SCHOOLMDM_GRAPH_TOKEN": "abc-token", "AZURE_CLIENT_SECRET": "x"},
        "https://graph.microsoft.com",
        Redactor(),
    )
    assert (
        isinstance(source, StaticToken)
        and source.token() == "abc-token"
        and source.refresh() is None
    )
