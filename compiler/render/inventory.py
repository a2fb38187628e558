"""Inventory exports per school: MAC lists for the network team, serial lists for Apple School Manager."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from compiler import plaintext
from compiler.artifact import Artifact
from compiler.resolve import SchoolConfig


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    if plaintext.first_bad(text) >= 0:  # validate stops this first; never write it regardless
        raise plaintext.TextError("an inventory export holds text no CSV reader should get")
    return text.encode("utf-8")


def render_school(cfg: SchoolConfig) -> list[Artifact]:
    sid = cfg.school.id
    src = (f"schools/{sid}/devices.csv",)
    devices = cfg.devices  # sorted by serial in resolve
    out = [
        Artifact(
            f"schools/{sid}/inventory/macs.csv",
            sid,
            cfg.school.platform,  # every artifact belongs to the school's platform
            "inventory",
            "macs",
            _csv(
                ("mac", "serial", "asset_tag"),
                ((d.mac, d.serial, d.asset_tag) for d in sorted(devices, key=lambda d: d.mac)),
            ),
            src,
        )
    ]
    if cfg.school.platform == "apple":
        # Apple School Manager: assign these serials to the MDM server
        out.append(
            Artifact(
                f"schools/{sid}/inventory/asm-serials.csv",
                sid,
                "apple",
                "inventory",
                "asm-serials",
                _csv(("Serial Number",), ((d.serial,) for d in devices)),
                src,
            )
        )
    return out
