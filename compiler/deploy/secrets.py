"""Secret values for a run: read from the environment before the first write, kept in memory,
fingerprinted with a deploy key, and redacted from everything the deployer prints or records.

Each secret comes from the environment variable named like it.
`SCHOOLMDM_DEPLOY_KEY` keys the HMAC that goes into an object's marker, so a rotated secret is
seen as a change without reading the secret back (the MDM masks it) and without the marker
revealing anything about the value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from compiler.deploy.errors import DeployError

DEPLOY_KEY = "SCHOOLMDM_DEPLOY_KEY"
MIN_KEY = 16


@dataclass
class Redactor:
    """Replaces every registered value (tokens, secrets) by `***` in text."""

    values: set[str] = field(default_factory=set)

    def add(self, value: str | None) -> None:
        if value and len(value) >= 3:
            self.values.add(value)
            escaped = json.dumps(value)[1:-1]  # as it appears inside JSON text
            if escaped != value:
                self.values.add(escaped)
            self.values.update(_base64_cores(value.encode("utf-8")))

    def __call__(self, text: str) -> str:
        for value in sorted(self.values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, "***")
        return text


def _base64_cores(raw: bytes) -> set[str]:
    """The parts of `raw`'s base64 that are the same wherever it sits in a longer text (at each of
    the three byte alignments), so a secret inside an echoed base64 payload is found too."""
    out = set()
    for shift in range(3):
        text = base64.b64encode(bytes(shift) + raw).decode("ascii")
        start = -(-shift * 4 // 3)  # characters that also encode the bytes before
        end = (shift + len(raw)) // 3 * 4  # whole groups of the value's bytes only
        core = text[start:end]
        if len(core) >= 8:
            out.add(core)
    return out


@dataclass(frozen=True)
class Secrets:
    values: Mapping[str, str]
    key: bytes | None

    def fingerprint(self, names: Iterable[str]) -> str | None:
        """HMAC-SHA256 of the named values (first 16 hex), or None without names or values."""
        names = sorted(set(names))
        if not names or self.key is None or any(n not in self.values for n in names):
            return None
        msg = json.dumps({n: self.values[n] for n in names}, sort_keys=True).encode("utf-8")
        return hmac.new(self.key, msg, hashlib.sha256).hexdigest()[:16]


def read_secrets(
    names: Iterable[str], env: Mapping[str, str], redactor: Redactor, required: bool
) -> tuple[Secrets, list[str]]:
    """The values of `names` and the names that are missing (an error when `required`)."""
    wanted = sorted(set(names))
    missing = [n for n in wanted if not env.get(n)]
    key = env.get(DEPLOY_KEY)
    if wanted and not key:
        missing.append(DEPLOY_KEY)
    if required and missing:
        raise DeployError(
            "these environment variables are not set, so nothing was written: "
            + ", ".join(missing)
            + (
                f" ({DEPLOY_KEY} keys the fingerprint of secret values in the markers)"
                if DEPLOY_KEY in missing
                else ""
            )
        )
    if required and key is not None and len(key) < MIN_KEY and wanted:
        raise DeployError(f"{DEPLOY_KEY} must be at least {MIN_KEY} characters long")
    values = {n: env[n] for n in wanted if env.get(n)}
    for v in values.values():
        redactor.add(v)
    redactor.add(key)
    return Secrets(values, key.encode("utf-8") if key else None), missing
