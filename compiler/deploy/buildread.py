"""Read a build for deploy: the manifest, each file checked against its sha256, and the MDM
objects it describes (every JSON artifact with a `collection` and a `body`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from compiler.artifact import ESTATE, MANIFEST
from compiler.deploy.errors import DeployError

APIS = ("v1.0", "beta", "classic")  # Microsoft Graph's two versions; Jamf Pro's Classic API


@dataclass(frozen=True)
class Desired:
    """One object the build wants in the MDM."""

    key: str  # school/platform/kind/name
    collection: str
    api: str
    body: dict[str, Any]
    assign: dict[str, Any] | None = None  # the /assign body (targets name groups by key)
    links: dict[str, list[str]] = field(default_factory=dict)  # property -> ${object:KEY}
    lookup: dict[str, Any] | None = None  # looked up in the MDM, never created (VPP apps)
    action: str = "create"  # or "import": records added once (Autopilot)
    secrets: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)  # adapter knobs (Jamf: vpp_location)

    @property
    def school(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def kind(self) -> str:
        return self.key.split("/")[2]


@dataclass(frozen=True)
class Build:
    root: Path
    scope: tuple[str, ...] | None  # the schools a `--school` build covers; None: the estate
    schools: frozenset[str]  # schools with artifacts in the build
    desired: tuple[Desired, ...]
    mdm: dict[str, str] = field(default_factory=dict)  # platform -> MDM (older builds: empty)
    rows: tuple[dict[str, Any], ...] = ()  # the manifest's artifact rows (files checked)
    manifest: dict[str, Any] = field(default_factory=dict)  # the manifest without its rows


def _fail(root: Path, message: str) -> DeployError:
    return DeployError(f"{root}: {message}; run `schoolmdm build` again")


def load_build(root: Path) -> Build:
    path = root / MANIFEST
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise DeployError(
            f"{root} holds no {MANIFEST}: is it a build folder? (`schoolmdm build` makes one)"
        ) from None
    except (OSError, ValueError) as exc:
        raise _fail(root, f"{MANIFEST} is not readable JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("version") != 1:
        raise _fail(root, f"{MANIFEST} is not a version 1 manifest")
    if manifest.get("secrets") != "placeholders":
        raise DeployError(
            f"{root} holds secret values (an export of `deploy --target directory`); deploy a "
            "build made by `schoolmdm build`, which holds none (deploy fills them in itself)"
        )
    scope = manifest.get("scope", "estate")
    if scope != "estate" and not (
        isinstance(scope, list) and all(isinstance(s, str) for s in scope)
    ):
        raise _fail(root, "the manifest's scope is neither 'estate' nor a list of schools")
    rows = manifest.get("artifacts")
    if not isinstance(rows, list):
        raise _fail(root, "the manifest lists no artifacts")
    desired: list[Desired] = []
    schools: set[str] = set()
    base = root.resolve()
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("path"), str):
            raise _fail(root, "a manifest entry has no path")
        rel = PurePosixPath(row["path"])
        if rel.is_absolute() or ".." in rel.parts:
            raise _fail(root, f"the manifest names a file outside the build: {row['path']}")
        file = base / rel
        try:
            data = file.read_bytes()
        except OSError:
            raise _fail(root, f"{row['path']} is listed in the manifest but missing") from None
        if hashlib.sha256(data).hexdigest() != row.get("sha256"):
            raise _fail(
                root,
                f"{row['path']} does not match the manifest's sha256 (changed after the build?)",
            )
        if row.get("school") and row["school"] != ESTATE:
            schools.add(str(row["school"]))
        if rel.suffix == ".json":
            found = _desired(root, row, data)
            if found is not None:
                desired.append(found)
    keys = [d.key for d in desired]
    if len(keys) != len(set(keys)):
        raise _fail(root, "two artifacts have the same key")
    mdm = manifest.get("mdm")
    return Build(
        root,
        None if scope == "estate" else tuple(scope),
        frozenset(schools),
        tuple(desired),
        {str(k): str(v) for k, v in mdm.items()} if isinstance(mdm, dict) else {},
        tuple(rows),
        {k: v for k, v in manifest.items() if k != "artifacts"},
    )


def _desired(root: Path, row: dict[str, Any], data: bytes) -> Desired | None:
    try:
        doc = json.loads(data)
    except ValueError:
        raise _fail(root, f"{row['path']} is not JSON") from None
    if not isinstance(doc, dict) or "collection" not in doc or "body" not in doc:
        return None  # not an MDM object (app lists, inventory)
    key = doc.get("key")
    ok = (
        key == row.get("key")
        and isinstance(doc["collection"], str)
        and doc.get("api") in APIS
        and isinstance(doc["body"], dict)
        and isinstance(doc.get("assign", {}), dict)
        and isinstance(doc.get("links", {}), dict)
        and isinstance(doc.get("options", {}), dict)
    )
    if not ok:
        raise _fail(root, f"{row['path']} is not a well-formed MDM artifact")
    assign = doc.get("assign")
    return Desired(
        key=str(key),
        collection=doc["collection"],
        api=doc["api"],
        body=doc["body"],
        assign=assign.get("body") if isinstance(assign, dict) else None,
        links={str(k): list(v) for k, v in doc.get("links", {}).items()},
        lookup=doc.get("lookup"),
        action=str(doc.get("action", "create")),
        secrets=tuple(doc.get("secrets", ())),
        options=dict(doc.get("options", {})),
    )
