"""Load stage: read every input file of an estate through a FileSource.

Nothing here judges content beyond "can it be read strictly"; validate does the rest. Each file
becomes a Document that remembers where each value sits, so every later finding has a line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from compiler.diagnostics import Diagnostic
from compiler.inventory import Device, read_devices
from compiler.source import FileSource
from compiler.yamlload import Document, load_yaml

ESTATE_FILE = "schoolmdm.yaml"
SECRETS_FILE = "secrets.yaml"
DEFAULT_MAX_YAML = 1_048_576
DEFAULT_MAX_CSV = 4_194_304  # about 60,000 devices: more than any one school has
# parsed files by (path, size limit, sha1 of the bytes): `plan` reads two revisions that share
# most files, and parses each distinct file once (parsing is pure; nothing mutates the result)
Memo = dict[tuple[str, int, bytes], Any]
T = TypeVar("T")


def _parsed(
    memo: Memo | None, parse: Callable[[str, bytes, int], T], path: str, data: bytes, limit: int
) -> T:
    if memo is None:
        return parse(path, data, limit)
    key = (path, limit, hashlib.sha1(data).digest())
    if key not in memo:
        memo[key] = parse(path, data, limit)
    result: T = memo[key]
    return result


@dataclass
class Inventory:
    path: str
    devices: list[Device] = field(default_factory=list)


@dataclass
class RawEstate:
    """Every input file as read: documents keyed by the id their file name gives them."""

    estate: Document
    secrets: Document | None
    schools: dict[str, Document] = field(default_factory=dict)
    inventories: dict[str, Inventory] = field(default_factory=dict)
    apps: dict[str, Document] = field(default_factory=dict)
    profiles: dict[str, Document] = field(default_factory=dict)
    templates: dict[str, Document] = field(default_factory=dict)

    def setting(self, *keys: str, default: Any = None) -> Any:
        value: Any = self.estate.data
        for k in keys:
            if not isinstance(value, dict) or k not in value:
                return default
            value = value[k]
        return value


def _limit(raw: Any, key: str, default: int) -> int:
    value = raw.get(key) if isinstance(raw, dict) else None
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


def _yaml_files(src: FileSource, folder: str, diags: list[Diagnostic]) -> list[tuple[str, str]]:
    """(id, path) of each `<id>.yaml` in a folder; a `.yml` file is a finding, not ignored."""
    out = []
    for name in src.list_dir(folder):
        path = f"{folder}/{name}"
        if name.endswith(".yaml"):
            out.append((name[: -len(".yaml")], path))
        elif name.endswith(".yml"):
            diags.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    "file-name",
                    "files end in '.yaml', not '.yml'",
                    f"rename it to {name[:-4]}.yaml",
                )
            )
    return out


def load_estate(src: FileSource, memo: Memo | None = None) -> tuple[RawEstate, list[Diagnostic]]:
    diags: list[Diagnostic] = []

    def linked(path: str) -> bool:
        if src.is_link(path):
            hint = "commit the file itself; links could point anywhere on the machine that runs the check"
            diags.append(
                Diagnostic(
                    path, 1, 1, "symlink", "symbolic links are not allowed in the estate", hint
                )
            )
            return True
        return False

    def unreadable(path: str, exc: OSError) -> None:
        reason = exc.strerror or type(exc).__name__
        hint = "check that the file is a plain file the CI user may read"
        diags.append(
            Diagnostic(path, 1, 1, "not-readable", f"the file cannot be read: {reason}", hint)
        )

    def read_yaml(path: str, max_bytes: int) -> Document:
        if linked(path):
            return Document(path)
        try:
            size = src.size(path)
            data = src.read(path) if size <= max_bytes else b""
        except OSError as exc:
            unreadable(path, exc)
            return Document(path)
        if size > max_bytes:  # reject before reading a huge file into memory
            diags.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    "file-too-large",
                    f"the file has {size} bytes; the limit is {max_bytes}",
                    "split it up, or ask the IT centre to raise limits.max_yaml_bytes",
                )
            )
            return Document(path)
        doc, found = _parsed(memo, load_yaml, path, data, max_bytes)
        diags.extend(found)
        return doc

    if src.exists(ESTATE_FILE):
        estate = read_yaml(ESTATE_FILE, DEFAULT_MAX_YAML)
    else:
        estate = Document(ESTATE_FILE)
        diags.append(
            Diagnostic(
                ESTATE_FILE,
                1,
                1,
                "missing-file",
                "the estate settings file is missing",
                "run schoolmdm in the estate's root folder or pass --root",
            )
        )
    limits = estate.data.get("limits") if isinstance(estate.data, dict) else None
    max_yaml = _limit(limits, "max_yaml_bytes", DEFAULT_MAX_YAML)
    max_csv = _limit(limits, "max_csv_bytes", DEFAULT_MAX_CSV)

    secrets = read_yaml(SECRETS_FILE, max_yaml) if src.exists(SECRETS_FILE) else None
    raw = RawEstate(estate=estate, secrets=secrets)

    for name in src.list_dir("schools"):
        folder = f"schools/{name}"
        if not src.is_dir(folder):
            continue
        school_path = f"{folder}/school.yaml"
        if not src.exists(school_path):
            diags.append(
                Diagnostic(
                    folder,
                    1,
                    1,
                    "missing-file",
                    f"the school folder '{name}' has no school.yaml",
                    f"create it with: schoolmdm new-school {name} --platform apple|windows --type TYPE",
                )
            )
            continue
        raw.schools[name] = read_yaml(school_path, max_yaml)
        csv_path = f"{folder}/devices.csv"
        inv = Inventory(csv_path)
        if src.exists(csv_path) and not linked(csv_path):
            try:
                size = src.size(csv_path)
                data = src.read(csv_path) if size <= max_csv else b""
            except OSError as exc:
                unreadable(csv_path, exc)
                raw.inventories[name] = inv
                continue
            if size > max_csv:
                diags.append(
                    Diagnostic(
                        csv_path,
                        1,
                        1,
                        "file-too-large",
                        f"the file has {size} bytes; the limit is {max_csv}",
                        "ask the IT centre to raise limits.max_csv_bytes",
                    )
                )
            else:
                inv.devices, found = _parsed(memo, read_devices, csv_path, data, max_csv)
                diags.extend(found)
        raw.inventories[name] = inv

    for app_id, path in _yaml_files(src, "catalog/apps", diags):
        raw.apps[app_id] = read_yaml(path, max_yaml)
    for profile_id, path in _yaml_files(src, "profiles", diags):
        raw.profiles[profile_id] = read_yaml(path, max_yaml)
    for platform in ("apple", "windows"):
        folder = f"templates/{platform}"
        for name in src.list_dir(folder):
            if name.endswith(".yaml.j2"):
                raw.templates[f"{folder}/{name}"] = read_yaml(f"{folder}/{name}", max_yaml)
    return raw, diags
