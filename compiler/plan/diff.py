"""The semantic diff: two value trees (decoded artifacts, parameters, YAML data) -> changes.

Lists of records are matched by what identifies an item to a person (a payload by its
PayloadIdentifier, an OMA-URI setting by its omaUri, a Settings Catalog setting by its
definition id, a device by its serial), not by position; a list whose order changed says so.
A PayloadUUID that changed only because the content beside it changed is churn, not news.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from compiler.plan.decode import Embedded


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # the side of a change where the value does not exist

# derived from the content beside it: changes whenever a sibling does
CHURN = ("PayloadUUID",)


@dataclass(frozen=True)
class Change:
    path: tuple[str, ...]
    old: Any
    new: Any

    @property
    def op(self) -> str:
        return "add" if self.old is MISSING else "remove" if self.new is MISSING else "change"


def _get(item: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(item, dict) or part not in item:
            return None
        item = item[part]
    return item


def _payload_label(items: list[Any]) -> Callable[[Any], str]:
    ids = [str(i["PayloadIdentifier"]) for i in items]
    common = ids[0]
    for other in ids[1:]:
        while not other.startswith(common):
            common = common[:-1]
    cut = common.rfind(".") + 1 if len(ids) > 1 else ids[0].rfind(".") + 1

    def label(item: Any) -> str:
        short = str(item["PayloadIdentifier"])[cut:] or str(item["PayloadIdentifier"])
        return f"{item.get('PayloadType', '?')} · {short}"

    return label


# what identifies a record in a list, most specific first
IDENTITIES = (
    "PayloadIdentifier",
    "omaUri",
    "settingInstance.settingDefinitionId",
    "settingDefinitionId",
    "serialNumber",
    "target.groupId",
    "$id",
    "id",
    "bundleId",
    "BundleID",
    "key",
    "name",
    "displayName",
)


def _identity(old: list[Any], new: list[Any]) -> Callable[[Any], str] | None:
    items = old + new
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in IDENTITIES:
        values = [_get(i, key) for i in items]
        if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
            continue
        unique = all(len({_get(i, key) for i in side}) == len(side) for side in (old, new))
        if unique:
            return _payload_label(items) if key == "PayloadIdentifier" else _by(key)
    return None


def _by(key: str) -> Callable[[Any], str]:
    return lambda item: str(_get(item, key))


def _tag(value: Any) -> tuple[str, Any]:
    return type(value).__name__, value  # 1 and True are different values here


def _hashable(items: list[Any]) -> bool:
    if not all(isinstance(i, Hashable) and not isinstance(i, Embedded) for i in items):
        return False
    return len({_tag(i) for i in items}) == len(items)


def _list(old: list[Any], new: list[Any], path: tuple[str, ...], out: list[Change]) -> None:
    label = _identity(old, new)
    if label is not None:
        before = {label(i): i for i in old}
        after = {label(i): i for i in new}
        for name in [*before, *(k for k in after if k not in before)]:
            _diff(before.get(name, MISSING), after.get(name, MISSING), (*path, f"[{name}]"), out)
        common_old = [k for k in before if k in after]
        common_new = [k for k in after if k in before]
        if common_old != common_new:
            out.append(Change((*path, "(order)"), common_old, common_new))
        return
    if _hashable(old) and _hashable(new):
        tags_old = {_tag(v) for v in old}
        tags_new = {_tag(v) for v in new}
        out.extend(Change(path, MISSING, v) for v in new if _tag(v) not in tags_old)
        out.extend(Change(path, v, MISSING) for v in old if _tag(v) not in tags_new)
        kept_old = [v for v in old if _tag(v) in tags_new]
        kept_new = [v for v in new if _tag(v) in tags_old]
        if [_tag(v) for v in kept_old] != [_tag(v) for v in kept_new]:
            out.append(Change((*path, "(order)"), kept_old, kept_new))
        return
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else MISSING
        b = new[i] if i < len(new) else MISSING
        _diff(a, b, (*path, f"[{i + 1}]"), out)


def _dict(
    old: dict[str, Any], new: dict[str, Any], path: tuple[str, ...], out: list[Change]
) -> None:
    start = len(out)
    keys = [*old, *(k for k in new if k not in old)]
    for key in sorted(keys):
        _diff(old.get(key, MISSING), new.get(key, MISSING), (*path, key), out)
    mine = out[start:]
    churn = [c for c in mine if len(c.path) == len(path) + 1 and c.path[-1] in CHURN]
    if churn and len(churn) < len(mine):
        out[start:] = [c for c in mine if c not in churn]


def _diff(old: Any, new: Any, path: tuple[str, ...], out: list[Change]) -> None:
    if old is new:
        return
    if type(old) is type(new) and not isinstance(old, (dict, list)) and old == new:
        return  # scalars; containers are compared item by item (1 == True in Python)
    if isinstance(old, dict) and isinstance(new, dict):
        _dict(old, new, path, out)
    elif isinstance(old, list) and isinstance(new, list):
        _list(old, new, path, out)
    elif isinstance(old, Embedded) and isinstance(new, Embedded) and old.kind == new.kind:
        if old.kind == "certificate":
            out.append(Change(path, old, new))
        else:
            _diff(old.value, new.value, (*path, f"({old.kind})"), out)
    else:
        out.append(Change(path, old, new))


def diff(old: Any, new: Any) -> list[Change]:
    """Every difference from `old` to `new`; MISSING on one side means added or removed."""
    out: list[Change] = []
    _diff(old, new, (), out)
    return out
