"""An independent conformance checker for Apple configuration profiles (tests only).

It checks a profile, as returned by :func:`plistlib.loads`, against Apple's own payload key
catalogue: the ``mdm/profiles/*.yaml`` files of Apple's public ``apple/device-management``
repository, kept unchanged beside the checkout in ``../shared/apple-device-management``
(override with ``SCHOOLMDM_APPLE_SCHEMA_DIR``). The files are read at test time, never copied
into the project, so the compiler's own schemas cannot mark their own homework.

What is checked, for the outer Configuration profile (``TopLevel.yaml``) and for every item of
``PayloadContent`` (the file(s) whose ``payload.payloadtype`` matches, plus
``CommonPayloadKeys.yaml``):

* every key is documented (or matches a wildcard subkey named ``ANY``);
* the plist type of every value, arrays item by item (``subkeys[0]``), dictionaries recursively;
* ``presence: required`` keys are present;
* ``rangelist``, ``range``, ``format`` and item ``repetition`` are respected;
* the payload and each key are available on the target iOS/iPadOS version and, where Apple
  marks them ``supervised``, that the target is supervised. A key's ``supportedOS`` overrides
  what it inherits from its payload (or parent key), attribute by attribute.

Quirks of Apple's data handled here:

* Subkey lists are shared through YAML anchors, and some refer back to themselves (home screen
  folders: ``IconItem.Pages -> PagesItem -> IconItem``), so the parsed catalogue is a cyclic
  graph. The walker follows the *value*, which is finite, and stops at a depth limit anyway.
* Several files share one payload type (``com.apple.MCX``, ``com.apple.extensiblesso``): the
  union of their keys is accepted; a key is required only if every file requires it; a key
  documented differently in several files is accepted if it satisfies any of them.
* ``ConsentText`` is modelled with an extra ``ConsentTextItem`` dictionary layer that a profile
  does not have (``{"en": "..."}``); a dictionary whose only subkey is a ``<dictionary>`` named
  ``<key>Item`` is unwrapped.
* ``TopLevel.yaml`` describes ``PayloadContent`` items only as a wildcard ``ANY`` dictionary; the
  items are checked as payloads instead. Wildcard ``ANY`` keys are never "required".
* Versions are compared numerically; ``introduced: n/a`` means unavailable, ``all`` means
  always available; ``deprecated`` is not a finding (the key still works).
* ``TopLevel`` and ``CommonPayloadKeys`` are catalogue pseudo-types, not payload types.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ENV_VAR",
    "Finding",
    "apple_schema_available",
    "apple_schema_dir",
    "check_profile",
    "require_apple_schema",
]

ENV_VAR = "SCHOOLMDM_APPLE_SCHEMA_DIR"
_TOP_LEVEL = "TopLevel"
_COMMON = "CommonPayloadKeys"
_WILDCARD = "ANY"
_MAX_DEPTH = 64

Spec = Mapping[str, Any]
Support = Mapping[str, Any]


@dataclass(frozen=True, order=True)
class Finding:
    """One deviation from Apple's catalogue; ``path`` locates the value in the profile."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<profile>'}: {self.message}"


# --------------------------------------------------------------------------- the catalogue


def apple_schema_dir() -> Path:
    """The folder holding Apple's ``profiles/*.yaml`` (``SCHOOLMDM_APPLE_SCHEMA_DIR`` wins)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared" / "apple-device-management"


def apple_schema_available() -> bool:
    """Whether Apple's catalogue is present (tests skip, or fail in CI, without it)."""
    profiles = apple_schema_dir() / "profiles"
    return all((profiles / f"{name}.yaml").is_file() for name in (_TOP_LEVEL, _COMMON))


def require_apple_schema() -> None:
    """Skip the calling test without Apple's catalogue; fail instead when ``CI=true``."""
    if apple_schema_available():
        return
    import pytest  # only needed here; keeps the checker importable without pytest

    message = f"Apple's device-management catalogue not found at {apple_schema_dir()}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + f" (required in CI; set {ENV_VAR})")
    pytest.skip(message)


@functools.lru_cache(maxsize=512)
def _load_file(path: str) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=yaml.CSafeLoader)


@dataclass(frozen=True)
class _PayloadDoc:
    """One catalogue file: the payload's OS support and its documented keys."""

    name: str
    support: Support
    keys: tuple[Spec, ...]


@dataclass(frozen=True)
class _Catalogue:
    top_level: _PayloadDoc
    common: _PayloadDoc
    payloads: Mapping[str, tuple[_PayloadDoc, ...]]


@functools.lru_cache(maxsize=8)
def _catalogue(folder: str) -> _Catalogue:
    profiles = Path(folder) / "profiles"
    if not profiles.is_dir():
        raise FileNotFoundError(f"Apple's payload catalogue not found: {profiles}")
    by_type: dict[str, list[_PayloadDoc]] = {}
    for path in sorted(profiles.glob("*.yaml")):
        data = _load_file(str(path))
        if not isinstance(data, Mapping):
            continue
        payload = data.get("payload")
        if not isinstance(payload, Mapping) or not isinstance(payload.get("payloadtype"), str):
            continue
        keys = data.get("payloadkeys")
        doc = _PayloadDoc(
            name=path.name,
            support=_as_mapping(payload.get("supportedOS")),
            keys=tuple(k for k in keys if _is_spec(k)) if isinstance(keys, list) else (),
        )
        by_type.setdefault(payload["payloadtype"], []).append(doc)
    try:
        top_level = by_type.pop(_TOP_LEVEL)[0]
        common = by_type.pop(_COMMON)[0]
    except KeyError as missing:
        raise FileNotFoundError(f"{profiles} lacks the {missing} payload description") from None
    return _Catalogue(top_level, common, {k: tuple(v) for k, v in by_type.items()})


def _is_spec(item: Any) -> bool:
    return isinstance(item, Mapping) and isinstance(item.get("key"), str)


def _as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _subkeys(spec: Spec) -> list[Spec]:
    subkeys = spec.get("subkeys")
    return [k for k in subkeys if _is_spec(k)] if isinstance(subkeys, list) else []


# --------------------------------------------------------------------------- OS support


def _parse_version(text: Any) -> tuple[int, ...] | None:
    """``"17.0"`` -> ``(17,)``; trailing zeros dropped so that 17 == 17.0 == 17.0.0."""
    if not isinstance(text, str | int | float) or isinstance(text, bool):
        return None
    parts = str(text).strip().split(".")
    if not all(part.isdigit() for part in parts):
        return None
    numbers = [int(part) for part in parts]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def _merge_support(inherited: Support, override: Any) -> Support:
    """A key's ``supportedOS`` overrides the inherited one per OS and per attribute."""
    if not isinstance(override, Mapping) or not override:
        return inherited
    merged: dict[str, Any] = dict(inherited)
    for os_name, attrs in override.items():
        merged[os_name] = {**_as_mapping(inherited.get(os_name)), **_as_mapping(attrs)}
    return merged


@dataclass
class _Walk:
    ipados: tuple[int, ...]
    ipados_text: str
    supervised: bool
    findings: list[Finding] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.findings.append(Finding(path, message))

    def os_problems(self, support: Support) -> frozenset[str]:
        if "iOS" not in support:
            others = sorted(str(name) for name in support)
            if not others:
                return frozenset()  # nothing documented: nothing to hold against it
            return frozenset({f"not supported on iOS/iPadOS (only {', '.join(others)})"})
        ios = _as_mapping(support["iOS"])
        problems: set[str] = set()
        introduced = ios.get("introduced")
        if isinstance(introduced, str) and introduced.strip().lower() == "n/a":
            problems.add("not available on iOS/iPadOS (introduced: n/a)")
        else:
            version = _parse_version(introduced)
            if version is not None and version > self.ipados:
                problems.add(
                    f"introduced in iOS/iPadOS {introduced}, after the target {self.ipados_text}"
                )
        removed = ios.get("removed")
        version = _parse_version(removed)
        if version is not None and version <= self.ipados:
            problems.add(
                f"removed in iOS/iPadOS {removed}, at or before the target {self.ipados_text}"
            )
        if ios.get("supervised") is True and not self.supervised:
            problems.add("requires a supervised device, the target is not supervised")
        return frozenset(problems)

    def report_os(self, path: str, support: Support, reported: frozenset[str]) -> frozenset[str]:
        """Report problems not already reported for an enclosing value; return all of them."""
        problems = self.os_problems(support)
        for problem in sorted(problems - reported):
            self.add(path, problem)
        return reported | problems


# --------------------------------------------------------------------------- values

_PLIST_TYPES: dict[str, tuple[type, ...]] = {
    "<string>": (str,),
    "<integer>": (int,),
    "<real>": (float, int),
    "<boolean>": (bool,),
    "<data>": (bytes, bytearray),
    "<date>": (dt.datetime,),
    "<array>": (list,),
    "<dictionary>": (dict,),
}


def _plist_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "<boolean>"
    for name, types in _PLIST_TYPES.items():
        if name != "<real>" and isinstance(value, types):
            return name
    if isinstance(value, float):
        return "<real>"
    return f"Python {type(value).__name__}"


def _type_matches(expected: Any, value: Any) -> bool:
    if not isinstance(expected, str) or expected not in _PLIST_TYPES:
        return True  # <any>, or a type this checker does not know: accept
    if isinstance(value, bool):
        return bool(expected == "<boolean>")  # bool is an int in Python; never the other way round
    return isinstance(value, _PLIST_TYPES[expected])


def _dictionary_subkeys(spec: Spec) -> list[Spec]:
    """The documented keys of a dictionary.

    Apple models ``ConsentText`` (``{"en": "...", "default": "..."}``) like an array: a
    dictionary whose only subkey is a ``<dictionary>`` named ``ConsentTextItem`` that holds the
    language wildcard. That item layer does not exist in a profile, so it is unwrapped.
    """
    subkeys = _subkeys(spec)
    if (
        len(subkeys) == 1
        and subkeys[0]["key"] == f"{spec.get('key')}Item"
        and subkeys[0].get("type") == "<dictionary>"
    ):
        return _subkeys(subkeys[0])
    return subkeys


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check_value(
    walk: _Walk,
    value: Any,
    spec: Spec,
    path: str,
    support: Support,
    reported: frozenset[str],
    where: str,
    depth: int,
) -> None:
    if depth > _MAX_DEPTH:
        walk.add(path, f"nested deeper than {_MAX_DEPTH} levels; not checked further")
        return
    support = _merge_support(support, spec.get("supportedOS"))
    reported = walk.report_os(path, support, reported)
    expected = spec.get("type")
    if not _type_matches(expected, value):
        walk.add(path, f"expected {expected}, got {_plist_type_name(value)}")
        return
    if isinstance(value, list):
        _check_array(walk, value, spec, path, support, reported, where, depth)
        return
    _check_scalar_constraints(walk, value, spec, path)
    if isinstance(value, dict) and expected != "<any>":
        subkeys = _dictionary_subkeys(spec)
        if subkeys:  # a dictionary documented without subkeys accepts anything
            entries = [(sub, support) for sub in subkeys]
            required = {s["key"] for s in subkeys if s.get("presence") == "required"}
            _check_dict(walk, value, entries, required, path, reported, where, depth + 1)


def _check_array(
    walk: _Walk,
    value: list[Any],
    spec: Spec,
    path: str,
    support: Support,
    reported: frozenset[str],
    where: str,
    depth: int,
) -> None:
    for index, item in enumerate(value):  # a rangelist on the array itself applies per item
        _check_rangelist(walk, item, spec, f"{path}[{index}]")
    if spec.get("type") == "<any>":
        return
    subkeys = _subkeys(spec)
    if not subkeys:
        return
    item_spec = subkeys[0]
    repetition = _as_mapping(item_spec.get("repetition"))
    low, high = repetition.get("min"), repetition.get("max")
    if isinstance(low, int) and len(value) < low:
        walk.add(path, f"has {len(value)} items, Apple documents at least {low}")
    if isinstance(high, int) and len(value) > high:
        walk.add(path, f"has {len(value)} items, Apple documents at most {high}")
    for index, item in enumerate(value):
        _check_value(walk, item, item_spec, f"{path}[{index}]", support, reported, where, depth + 1)


def _in_rangelist(value: Any, allowed: list[Any]) -> bool:
    for option in allowed:
        if isinstance(value, bool) or isinstance(option, bool):
            if type(value) is type(option) and value == option:  # True == 1 in Python
                return True
        elif value == option:
            return True
    return False


def _check_rangelist(walk: _Walk, value: Any, spec: Spec, path: str) -> None:
    allowed = spec.get("rangelist")
    if not isinstance(allowed, list) or isinstance(value, list | dict):
        return
    if not _in_rangelist(value, allowed):
        shown = ", ".join(repr(option) for option in allowed)
        walk.add(path, f"{value!r} is not one of the documented values ({shown})")


def _check_scalar_constraints(walk: _Walk, value: Any, spec: Spec, path: str) -> None:
    _check_rangelist(walk, value, spec, path)
    bounds = _as_mapping(spec.get("range"))
    if bounds and isinstance(value, int | float) and not isinstance(value, bool):
        low, high = bounds.get("min"), bounds.get("max")
        if isinstance(low, int | float) and value < low:
            walk.add(path, f"{value!r} is below the documented minimum {low!r}")
        if isinstance(high, int | float) and value > high:
            walk.add(path, f"{value!r} is above the documented maximum {high!r}")
    pattern = spec.get("format")
    if isinstance(pattern, str) and isinstance(value, str):
        try:
            matches = re.search(pattern, value) is not None
        except re.error:
            matches = True  # Apple's pattern is not a Python regex: nothing to hold
        if not matches:
            walk.add(path, f"{value!r} does not match the documented format {pattern!r}")


def _check_dict(
    walk: _Walk,
    value: Mapping[Any, Any],
    entries: Iterable[tuple[Spec, Support]],
    required: set[str],
    path: str,
    reported: frozenset[str],
    where: str,
    depth: int,
    *,
    flag_unknown: bool = True,
) -> None:
    """Check a dictionary against documented keys (several specs per key: any may match)."""
    named: dict[str, list[tuple[Spec, Support]]] = {}
    wildcards: list[tuple[Spec, Support]] = []
    for spec, support in entries:
        if spec["key"] == _WILDCARD:
            wildcards.append((spec, support))
        else:
            named.setdefault(spec["key"], []).append((spec, support))
    for key in sorted(required - {_WILDCARD}):
        if key not in value:
            walk.add(_join(path, key), f"required key is missing (required by {where})")
    for key, item in value.items():
        if not isinstance(key, str):
            walk.add(path, f"dictionary key {key!r} is not a string")
            continue
        candidates = named.get(key) or wildcards
        key_path = _join(path, key)
        if not candidates:
            if flag_unknown:
                hint = difflib.get_close_matches(key, named, n=1)
                suffix = f"; did you mean {hint[0]!r}?" if hint else ""
                walk.add(key_path, f"key is not documented by Apple for {where}{suffix}")
            continue
        _check_candidates(walk, item, candidates, key_path, reported, where, depth)


def _check_candidates(
    walk: _Walk,
    value: Any,
    candidates: list[tuple[Spec, Support]],
    path: str,
    reported: frozenset[str],
    where: str,
    depth: int,
) -> None:
    first: list[Finding] | None = None
    for spec, support in candidates:
        trial = _Walk(walk.ipados, walk.ipados_text, walk.supervised)
        _check_value(trial, value, spec, path, support, reported, where, depth)
        if not trial.findings:
            return
        if first is None:
            first = trial.findings
    walk.findings.extend(first or [])


# --------------------------------------------------------------------------- profile


def _check_payload(
    walk: _Walk, catalogue: _Catalogue, payload: Any, path: str, reported: frozenset[str]
) -> None:
    if not isinstance(payload, dict):
        walk.add(path, f"expected a payload <dictionary>, got {_plist_type_name(payload)}")
        return
    common = catalogue.common
    common_required = {k["key"] for k in common.keys if k.get("presence") == "required"}
    raw_type = payload.get("PayloadType")
    payload_type = raw_type if isinstance(raw_type, str) else ""
    docs = catalogue.payloads.get(payload_type)
    if not docs:
        if isinstance(raw_type, str):
            walk.add(
                _join(path, "PayloadType"),
                f"unknown PayloadType {payload_type!r}: Apple documents no such payload",
            )
        # still check what can be checked: the common keys, without flagging the rest
        entries = [(spec, common.support) for spec in common.keys]
        _check_dict(
            walk,
            payload,
            entries,
            common_required,
            path,
            reported,
            "every payload",
            1,
            flag_unknown=False,
        )
        return

    # the payload is usable if any file documenting its type supports the target
    problems = [walk.os_problems(doc.support) for doc in docs]
    if all(problems):
        for problem in sorted(problems[0] - reported):
            walk.add(path, f"{payload_type} payload: {problem}")
        reported |= problems[0]
        support = docs[0].support
    else:
        support = docs[problems.index(frozenset())].support

    entries = [(spec, doc.support) for doc in docs for spec in doc.keys]
    documented = {spec["key"] for spec, _ in entries}
    entries += [(spec, support) for spec in common.keys if spec["key"] not in documented]
    required_sets = [
        {k["key"] for k in doc.keys if k.get("presence") == "required"} for doc in docs
    ]
    required = (common_required - documented) | set.intersection(*required_sets)
    _check_dict(walk, payload, entries, required, path, reported, payload_type, 1)


def check_profile(profile: dict[str, Any], *, ipados: str, supervised: bool) -> list[Finding]:
    """All deviations of ``profile`` from Apple's catalogue, sorted by path.

    ``ipados`` is the target iOS/iPadOS version (``"17.0"``); ``supervised`` whether the target
    devices are supervised. Odd input never raises: it becomes findings. A malformed
    ``ipados`` raises ``ValueError`` and a missing catalogue ``FileNotFoundError``.
    """
    target = _parse_version(ipados)
    if target is None:
        raise ValueError(f"not an iOS/iPadOS version: {ipados!r}")
    catalogue = _catalogue(str(apple_schema_dir()))
    walk = _Walk(target, ipados, supervised)
    if not isinstance(profile, dict):
        walk.add("", f"expected a profile <dictionary>, got {_plist_type_name(profile)}")
        return walk.findings

    top = catalogue.top_level
    reported = walk.report_os("", top.support, frozenset())
    entries: list[tuple[Spec, Support]] = []
    for spec in top.keys:
        if spec["key"] == "PayloadContent":
            # Apple describes the items only as a wildcard dictionary; they are checked as
            # payloads below, so keep the key's own rules but drop the item description
            spec = {k: v for k, v in spec.items() if k != "subkeys"}
        entries.append((spec, top.support))
    required = {k["key"] for k in top.keys if k.get("presence") == "required"}
    _check_dict(walk, profile, entries, required, "", reported, "a Configuration profile", 1)

    content = profile.get("PayloadContent")
    if isinstance(content, list):
        for index, payload in enumerate(content):
            _check_payload(walk, catalogue, payload, f"PayloadContent[{index}]", reported)
    return sorted(walk.findings)
