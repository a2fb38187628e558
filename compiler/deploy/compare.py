"""Compare a desired value with what the MDM returns: every desired property must be there with
the same value; properties the server adds (ids, timestamps, defaults) are not differences.

A desired string that holds a `${secret:...}` placeholder is never compared: services mask
secrets on read (Graph returns a Wi-Fi `preSharedKey` as null), so the marker's keyed
fingerprint of the secret values stands in for them.
"""

from __future__ import annotations

from typing import Any

MAX_DIFFS = 20


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return bool(a == b) and type(a) is type(b)


def differences(desired: Any, live: Any, path: str = "", out: list[str] | None = None) -> list[str]:
    """Paths where `live` does not hold what `desired` says (at most MAX_DIFFS)."""
    out = [] if out is None else out
    if len(out) >= MAX_DIFFS:
        return out
    if isinstance(desired, str) and "${secret:" in desired:
        return out
    if isinstance(desired, dict):
        if not isinstance(live, dict):
            out.append(f"{path or '.'}: is {_kind(live)}, want an object")
            return out
        for key, want in desired.items():
            sub = f"{path}.{key}" if path else key
            if key not in live:
                if key == "@odata.type":
                    continue  # OData leaves it out where it is the declared type
                if want is not None and not (isinstance(want, str) and "${secret:" in want):
                    out.append(f"{sub}: missing")
                continue
            differences(want, live[key], sub, out)
        return out
    if isinstance(desired, list):
        if not isinstance(live, list):
            out.append(f"{path}: is {_kind(live)}, want a list")
        elif len(desired) != len(live):
            out.append(f"{path}: {len(live)} items, want {len(desired)}")
        else:
            for i, (want, have) in enumerate(zip(desired, live, strict=True)):
                differences(want, have, f"{path}[{i}]", out)
        return out
    if not _same_scalar(desired, live):
        out.append(f"{path}: {_short(live)}, want {_short(desired)}")
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", type(None): "null"}.get(type(value), "a value")
