"""A loopback HTTPS sign-in server for the auth tests: Entra ID's OpenID configuration and token
endpoint (client credentials with a secret or a client assertion), and GitHub Actions' OIDC
token endpoint. Its certificate comes from a throwaway CA (trustme), which the tests hand to
MSAL (REQUESTS_CA_BUNDLE) and httpx (SSL_CERT_FILE): MSAL insists on https authorities."""

from __future__ import annotations

import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme


@dataclass
class Issued:
    requests: list[dict[str, str]] = field(default_factory=list)  # token requests (form fields)
    oidc: list[dict[str, str]] = field(default_factory=list)  # GitHub OIDC requests
    tokens: list[str] = field(default_factory=list)


class TokenServer:
    def __init__(self, folder: Path, client_secret: str, oidc_bearer: str, oidc_token: str) -> None:
        self.ca = trustme.CA()
        self.ca_file = folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.client_secret = client_secret
        self.oidc_bearer = oidc_bearer
        self.oidc_token = oidc_token
        self.issued = Issued()
        self.accept: set[str] | None = None  # where issued tokens are also registered (emulator)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> TokenServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def token_answer(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.issued.requests.append(form)
            ok = form.get("grant_type") == "client_credentials" and (
                form.get("client_secret") == self.client_secret
                or (
                    form.get("client_assertion") == self.oidc_token
                    and form.get("client_assertion_type")
                    == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                )
            )
            if not ok:
                return 401, {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                }
            token = f"graph-token-{len(self.issued.tokens) + 1}"
            self.issued.tokens.append(token)
            if self.accept is not None:
                self.accept.add(token)
            return 200, {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": token,
            }


def _handler(srv: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            split = urlsplit(self.path)
            parts = split.path.strip("/").split("/")
            if split.path == "/oidc":
                query = {k: v[0] for k, v in parse_qs(split.query).items()}
                with srv.lock:
                    srv.issued.oidc.append(
                        {**query, "authorization": self.headers.get("Authorization", "")}
                    )
                if self.headers.get("Authorization") != f"bearer {srv.oidc_bearer}":
                    self._send(401, {"message": "bad request token"})
                    return
                self._send(200, {"value": srv.oidc_token})
                return
            if len(parts) >= 2 and parts[-2:] == [".well-known", "openid-configuration"]:
                tenant = parts[0]
                base = f"{srv.url}/{tenant}"
                self._send(
                    200,
                    {
                        "token_endpoint": f"{base}/oauth2/v2.0/token",
                        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                        "issuer": f"{base}/v2.0",
                        "jwks_uri": f"{base}/discovery/v2.0/keys",
                        "response_types_supported": ["code", "id_token", "token"],
                        "token_endpoint_auth_methods_supported": [
                            "client_secret_post",
                            "private_key_jwt",
                        ],
                    },
                )
                return
            self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path.endswith("/oauth2/v2.0/token"):
                status, body = srv.token_answer(form)
                self._send(status, body)
                return
            self._send(404, {"error": "not_found"})

    return Handler
