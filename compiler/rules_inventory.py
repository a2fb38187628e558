"""Inventory rules: serials, MACs and asset tags are unique in the whole estate."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.load import RawEstate
from compiler.model import Estate

_FIELDS = (
    ("serial", "serial", "duplicate-serial"),
    ("mac", "MAC", "duplicate-mac"),
    ("asset_tag", "asset tag", "duplicate-asset-tag"),
)


def check(estate: Estate, raw: RawEstate) -> Iterator[Diagnostic]:
    firsts: tuple[dict[str, tuple[str, int]], ...] = ({}, {}, {})
    is_ipad: dict[str, bool] = {}
    reported: set[tuple[str, str]] = set()
    for school_id in sorted(raw.inventories):
        inv = raw.inventories[school_id]
        school = estate.schools.get(school_id)
        for dev in inv.devices:
            for seen, value, (_, label, code) in zip(
                firsts, (dev.serial, dev.mac, dev.asset_tag), _FIELDS, strict=True
            ):
                first = seen.setdefault(value, (inv.path, dev.line))
                if first[1] != dev.line or first[0] != inv.path:
                    hint = f"every {label} is unique in the whole estate; remove or correct one of the two rows"
                    yield Diagnostic(
                        inv.path,
                        dev.line,
                        1,
                        code,
                        f"the {label} '{value}' is also at {first[0]}:{first[1]}",
                        hint,
                    )
                    if (code, value) not in reported:
                        # name both places: either file may be the one a pull request changed
                        reported.add((code, value))
                        yield Diagnostic(
                            first[0],
                            first[1],
                            1,
                            code,
                            f"the {label} '{value}' is also at {inv.path}:{dev.line}",
                            hint,
                        )
            if school is not None:
                ipad = is_ipad.get(dev.model)
                if ipad is None:
                    ipad = is_ipad[dev.model] = "ipad" in dev.model.lower()
                if (school.platform == "apple") != ipad:
                    want = "iPads" if school.platform == "apple" else "Windows devices, not iPads"
                    yield Diagnostic(
                        inv.path,
                        dev.line,
                        1,
                        "device-platform",
                        f"'{dev.model}' does not fit a {school.platform} school",
                        f"this school's inventory lists {want}; is the row in the right school?",
                    )
