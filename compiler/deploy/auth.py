"""Access tokens for Microsoft Graph, with Microsoft's own library (MSAL).

Three ways, tried in this order:
1. `SCHOOLMDM_GRAPH_TOKEN`: a ready token (tests, a one-off run). It cannot be refreshed: a
   401 stops the run with a clear error.
2. Client credentials: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`.
3. Workload identity federation from GitHub Actions (no stored secret): `AZURE_TENANT_ID`,
   `AZURE_CLIENT_ID` and the job's OIDC token (`ACTIONS_ID_TOKEN_REQUEST_URL`,
   `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, present with `permissions: id-token: write`), exchanged
   with audience `api://AzureADTokenExchange` and used as the client assertion.
`AZURE_AUTHORITY_HOST` changes the sign-in host (national clouds; tests), `REQUESTS_CA_BUNDLE`
the certificate authorities MSAL trusts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from compiler.deploy.errors import DeployError
from compiler.deploy.secrets import Redactor

AUDIENCE = "api://AzureADTokenExchange"
AUTHORITY = "https://login.microsoftonline.com"


class StaticToken:
    """A ready token from the environment: it cannot be renewed."""

    def __init__(
        self,
        value: str,
        hint: str = "SCHOOLMDM_GRAPH_TOKEN is a fixed token; give a fresh one, or client credentials",
    ) -> None:
        self.value = value
        self.hint = hint

    def token(self) -> str:
        return self.value

    def refresh(self) -> str | None:
        return None  # a fixed token cannot be renewed


def github_assertion(env: Mapping[str, str], redact: Redactor) -> Callable[[], str]:
    """A callable that asks GitHub Actions for a fresh OIDC token each time MSAL needs one."""
    url, bearer = env["ACTIONS_ID_TOKEN_REQUEST_URL"], env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
    redact.add(bearer)

    def assertion() -> str:
        try:
            resp = httpx.get(
                url,
                params={"audience": AUDIENCE},
                headers={"Authorization": f"bearer {bearer}"},
                timeout=30,
            )
            resp.raise_for_status()
            value = resp.json()["value"]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise DeployError(redact(f"cannot get the GitHub Actions OIDC token: {exc}")) from None
        if not isinstance(value, str):
            raise DeployError("the GitHub Actions OIDC token answer holds no token")
        redact.add(value)
        return value

    return assertion


class MsalToken:
    """Client credentials (a secret or a federated assertion) through MSAL."""

    def __init__(
        self,
        tenant: str,
        client_id: str,
        credential: str | Callable[[], str],
        scope: str,
        authority_host: str,
        verify: str | bool,
        redact: Redactor,
    ) -> None:
        self.args = (tenant, client_id, credential, authority_host.rstrip("/"), verify)
        self.scope = scope
        self.redact = redact
        self.app: Any = None

    def _app(self) -> Any:
        import msal  # type: ignore[import-untyped]  # only when signing in

        tenant, client_id, credential, host, verify = self.args
        cred: Any = credential if isinstance(credential, str) else {"client_assertion": credential}
        return msal.ConfidentialClientApplication(
            client_id,
            client_credential=cred,
            authority=f"{host}/{tenant}",
            instance_discovery=host.lower() == AUTHORITY,
            verify=verify,
            timeout=30,
        )

    def _acquire(self) -> str:
        try:
            if self.app is None:
                self.app = self._app()  # reads the tenant's OpenID configuration
            result = self.app.acquire_token_for_client(scopes=[self.scope])
        except DeployError:
            raise
        except Exception as exc:  # MSAL raises ValueError, requests errors, ...
            raise DeployError(
                self.redact(f"cannot sign in to Entra ID: {type(exc).__name__}: {exc}")
            ) from None
        token = result.get("access_token") if isinstance(result, dict) else None
        if not isinstance(token, str):
            why = (
                result.get("error_description") or result.get("error")
                if isinstance(result, dict)
                else None
            )
            raise DeployError(self.redact(f"Entra ID refused the sign-in: {why or 'no token'}"))
        self.redact.add(token)
        return token

    def token(self) -> str:
        return self._acquire()

    def refresh(self) -> str | None:
        self.app = None  # a new, empty cache: a token really fetched anew
        return self._acquire()


def token_source(
    env: Mapping[str, str], graph_url: str, redact: Redactor
) -> StaticToken | MsalToken:
    ready = env.get("SCHOOLMDM_GRAPH_TOKEN")
    if ready:
        redact.add(ready)
        return StaticToken(ready)
    tenant, client = env.get("AZURE_TENANT_ID"), env.get("AZURE_CLIENT_ID")
    scope = (
        f"{graph_url.rstrip('/')}/.default"
        if graph_url.startswith("https://")
        else "https://graph.microsoft.com/.default"
    )
    host = env.get("AZURE_AUTHORITY_HOST") or AUTHORITY
    verify: str | bool = env.get("REQUESTS_CA_BUNDLE") or True
    if tenant and client and env.get("AZURE_CLIENT_SECRET"):
        redact.add(env["AZURE_CLIENT_SECRET"])
        return MsalToken(tenant, client, env["AZURE_CLIENT_SECRET"], scope, host, verify, redact)
    if (
        tenant
        and client
        and env.get("ACTIONS_ID_TOKEN_REQUEST_URL")
        and env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    ):
        return MsalToken(tenant, client, github_assertion(env, redact), scope, host, verify, redact)
    raise DeployError(
        "no credentials for Microsoft Graph: set SCHOOLMDM_GRAPH_TOKEN, or AZURE_TENANT_ID and "
        "AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, or run in GitHub Actions with "
        "`permissions: id-token: write` (workload identity federation); see docs/deploy.md"
    )


def environment() -> dict[str, str]:
    return dict(os.environ)
