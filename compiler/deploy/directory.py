"""`schoolmdm deploy --target directory --out DIR`: the build's files made deployable, for MDMs
that import files and for Apple Configurator: every secret placeholder filled in from the
environment, and every profile signed when signing is configured.

Secret values are checked before anything is written: each must be set and fit the slots it
fills (compiler.secrets, by the estate the build is in).

`build/` never holds a secret value; this export does, so it is written as a private folder:
created owner-only (0700, files 0600) beside its final place and renamed into it whole, never
inside the estate (where it could be committed) nor inside a build. An existing DIR is replaced
only when it is an earlier export. Values are filled in by parsing what holds them (property
lists, JSON) and writing it again, never by replacing text, so a value with `<` or `"` stays
valid; a signed profile is unwrapped, filled and signed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import plistlib
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from xml.parsers.expat import ExpatError

from compiler.artifact import MANIFEST, canonical_json
from compiler.deploy import mobileconfig
from compiler.deploy.errors import DeployError
from compiler.deploy.refs import has_secret, substitute
from compiler.deploy.secrets import Redactor
from compiler.pipeline import check_estate
from compiler.report import render
from compiler.root import find_root
from compiler.secrets import check_secret_values, uses
from compiler.source import DirectorySource

if TYPE_CHECKING:
    from compiler.signing import Signer

EXPORT = "filled-from-environment"  # the manifest's `secrets` of an export (deploy refuses it)


@dataclass(frozen=True)
class Exported:
    files: int
    filled: int  # files that got secret values
    signed: int  # profiles signed here
    notes: tuple[str, ...] = ()


def secret_values(
    names: set[str],
    env: Mapping[str, str],
    redact: Redactor,
    estate_root: Path | None,
    schools: list[str],
) -> dict[str, str]:
    """The values of the secrets the exported files hold, checked before anything is written
    (the one place an export reads secrets): each must be set, and fit the slots it fills in
    the estate's profiles (a WPA passphrase, a password: compiler.secrets). Messages name the
    secret, never the value."""
    missing = sorted(n for n in names if not env.get(n))
    if missing:
        raise DeployError(
            "these environment variables are not set, so nothing was written: " + ", ".join(missing)
        )
    values = {n: env[n] for n in sorted(names)}
    for value in values.values():
        redact.add(value)
    if estate_root is not None:
        estate, _ = check_estate(DirectorySource(estate_root), generated_check=False)
        if estate is not None:
            wanted = [s for s in schools if s in estate.schools]
            # secrets a school references that no exported file holds need no value here
            unused = set(uses(estate, wanted)) - names
            problems = [
                d
                for d in check_secret_values(estate, values, wanted)
                if not any(f"'{n}' has no value" in d.message for n in unused)
            ]
            if problems:
                raise DeployError(
                    "secret values that do not fit, so nothing was written:\n"
                    + render(problems, "text").rstrip()
                )
    for name, value in values.items():  # the last guard, whatever the estate says
        try:
            plistlib.dumps({"v": value})
        except (ValueError, TypeError):
            raise DeployError(
                f"the value of the secret {name} holds characters no profile can carry "
                "(control characters); correct it (it is never shown here)"
            ) from None
    return values


def check_out(out: Path, build: Path) -> Path:
    """Where the export may go: outside any estate and build, an empty folder or an earlier
    export (which it replaces)."""
    out = out.resolve()
    build = build.resolve()
    if out == build or out.is_relative_to(build) or build.is_relative_to(out):
        raise DeployError(f"--out {out} overlaps the build {build}: choose a folder of its own")
    estate = find_root(out.parent if not out.exists() else out)
    if estate is not None:
        raise DeployError(
            f"--out {out} is inside the estate {estate}: the export holds secret values and "
            "must never be committed; choose a folder outside it"
        )
    if out.exists() and not out.is_dir():
        raise DeployError(f"--out {out} is a file")
    if out.is_dir() and any(out.iterdir()):
        try:
            previous = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = None
        if not isinstance(previous, dict) or previous.get("secrets") != EXPORT:
            raise DeployError(
                f"--out {out} is not empty and not an earlier export: it is left alone"
            )
    return out


def _profile(
    data: bytes, values: dict[str, str], signer: Signer | None, key: str
) -> tuple[bytes, bool]:
    """A .mobileconfig with its secrets filled in, in its own format; signed when a signer is
    given (and then always). (content, signed here)"""
    inner = mobileconfig.signed_content(data)
    plain = inner if inner is not None else data
    if values:
        if inner is not None and signer is None:
            raise DeployError(
                f"{key}: the build's profile is signed and holds secrets; give the signing "
                "certificate and key (--sign-cert, --sign-key) so it is signed again after the "
                "secrets are filled in"
            )
        fmt = plistlib.FMT_BINARY if plain.startswith(b"bplist") else plistlib.FMT_XML
        try:
            parsed = plistlib.loads(plain)
        except (ValueError, ExpatError):
            raise DeployError(f"{key}: the profile in the build is not a property list") from None
        filled = substitute(parsed, lambda _k, n: values.get(n), ("secret",))
        plain = plistlib.dumps(filled, fmt=fmt, sort_keys=True)
    elif inner is not None:
        return data, False  # signed and nothing to fill: exactly as built
    if signer is not None:
        return signer.sign(plain), True
    return plain, False


def _fill(value: Any, values: dict[str, str], signer: Signer | None, key: str) -> Any:
    """A JSON value with its secrets filled in: profiles inside (base64 for Intune, XML text for
    Jamf Pro) by parsing them, anything else by value."""
    if isinstance(value, dict):
        return {k: _fill(v, values, signer, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values, signer, key) for v in value]
    if not isinstance(value, str):
        return value
    if has_secret(value):
        if "<plist" in value[:300]:
            return mobileconfig.fill_xml(value, values, key)
        if value.lstrip().startswith("<dict"):
            wrapped = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n{value}</plist>'
            )
            text = mobileconfig.fill_xml(wrapped, values, key)
            return text[text.index("<dict") : text.rindex("</plist>")].strip() + "\n"
        return substitute(value, lambda _k, n: values.get(n), ("secret",))
    parsed = mobileconfig.parse(value) if len(value) > 64 else None
    if parsed is not None and has_secret(parsed):
        return mobileconfig.fill(value, values, signer, key)
    return value


def export(
    build: Path,
    rows: list[dict[str, Any]],
    manifest: dict[str, Any],
    out: Path,
    env: Mapping[str, str],
    signer: Signer | None,
    redact: Redactor,
) -> Exported:
    """Write the files of `rows` (manifest rows of the build, already checked) into `out`."""
    out = check_out(out, build)
    schools = sorted({str(r.get("school")) for r in rows})
    names = {n for r in rows for n in r.get("secrets", [])}
    estate_root = find_root(build)
    values = secret_values(names, env, redact, estate_root, schools)
    notes: tuple[str, ...] = ()
    if estate_root is None and names:
        notes = (
            "the build is not inside an estate, so secret values were checked only for "
            "characters no profile can carry, not by the slots they fill",
        )
    files: dict[str, bytes] = {}
    filled = signed = 0
    new_rows = []
    for row in rows:
        rel = str(row["path"])
        data = (build / PurePosixPath(rel)).read_bytes()
        mine = {n: values[n] for n in row.get("secrets", [])}
        if rel.endswith(".mobileconfig"):
            data, was_signed = _profile(data, mine, signer, str(row["key"]))
            signed += was_signed
        elif rel.endswith(".json") and mine:
            doc = json.loads(data)
            data = canonical_json(_fill(doc, mine, signer, str(row["key"])))
        filled += bool(mine)
        files[rel] = data
        new_rows.append({**row, "sha256": _sha256(data)})
    files[MANIFEST] = canonical_json({**manifest, "secrets": EXPORT, "artifacts": new_rows})
    _write_private(out, files)
    return Exported(len(rows), filled, signed, notes)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_private(out: Path, files: dict[str, bytes]) -> None:
    """Owner-only from the first byte: a temp folder (0700) beside `out`, files 0600, then
    renamed into place; a failure leaves `out` as it was."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-export-", dir=out.parent))
    try:
        os.chmod(tmp, 0o700)
        for rel, data in files.items():
            target = tmp / PurePosixPath(rel)
            parts = PurePosixPath(rel).parts
            if PurePosixPath(rel).is_absolute() or ".." in parts:
                raise DeployError(f"the manifest names a file outside the build: {rel}")
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        for folder, dirs, _ in os.walk(tmp):  # mkdir's mode is masked by umask
            for d in dirs:
                os.chmod(Path(folder) / d, 0o700)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}-old-{os.getpid()}"
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
