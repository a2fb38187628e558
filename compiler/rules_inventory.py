"""Inventory rules: serials, MACs and asset tags are unique in the whole estate."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.load import RawEstate
from compiler.model import Estate

# (position in Device, label, code): Device is a NamedTuple, so fields are read by index
_FIELDS = (
    (0, "serial", "duplicate-serial"),
    (1, "MAC", "duplicate-mac"),
    (2, "asset tag", "duplicate-asset-tag"),
)


def check(estate: Estate, raw: RawEstate) -> Iterator[Diagnostic]:
    yield from _duplicates(raw)
    yield from _platforms(estate, raw)


def _duplicates(raw: RawEstate) -> Iterator[Diagnostic]:
    # a clean estate has no duplicates: prove that with sets first, walk rows only if needed
    devices = [
        (inv.path, dev)
        for school_id in sorted(raw.inventories)
        for inv in (raw.inventories[school_id],)
        for dev in inv.devices
    ]
    for index, label, code in _FIELDS:
        values = [dev[index] for _, dev in devices]  # str fields only (0-2)
        if len(set(values)) == len(values):
            continue
        seen: dict[str, tuple[str, int]] = {}
        reported: set[str] = set()
        hint = f"every {label} is unique in the whole estate; remove or correct one of the two rows"
        for path, dev in devices:
            value = str(dev[index])
            first = seen.setdefault(value, (path, dev.line))
            if first == (path, dev.line):
                continue
            yield Diagnostic(
                path,
                dev.line,
                1,
                code,
                f"the {label} '{value}' is also at {first[0]}:{first[1]}",
                hint,
            )
            if value not in reported:
                # name both places: either file may be the one a pull request changed
                reported.add(value)
                yield Diagnostic(
                    first[0],
                    first[1],
                    1,
                    code,
                    f"the {label} '{value}' is also at {path}:{dev.line}",
                    hint,
                )


def _platforms(estate: Estate, raw: RawEstate) -> Iterator[Diagnostic]:
    """An iPad in a windows school (or a laptop in an apple school) is in the wrong list."""
    for school_id, inv in sorted(raw.inventories.items()):
        school = estate.schools.get(school_id)
        if school is None:
            continue
        apple = school.platform == "apple"
        wrong = {m for m in {d.model for d in inv.devices} if ("ipad" in m.lower()) != apple}
        if not wrong:
            continue
        want = "iPads" if apple else "Windows devices, not iPads"
        for dev in inv.devices:
            if dev.model in wrong:
                hint = f"this school's inventory lists {want}; is the row in the right school?"
                yield Diagnostic(
                    inv.path,
                    dev.line,
                    1,
                    "device-platform",
                    f"'{dev.model}' does not fit a {school.platform} school",
                    hint,
                )
