"""Device inventory CSV: the one place that reads and writes `devices.csv`.

Vendors and spreadsheets hand us `;` or `,` separated files, with a BOM, stray spaces, German or
English headers and MACs in any notation; we accept all of that, normalise it, and write back one
canonical form with a deterministic row order (sorted by serial).
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable
from typing import NamedTuple

from compiler.csvtext import bad_text, csv_error, split_lines
from compiler.diagnostics import Diagnostic
from compiler.suggest import did_you_mean
from compiler.text import decode_text

COLUMNS = ("serial", "mac", "asset_tag", "model", "hardware_hash", "product_id")
REQUIRED = ("serial", "mac", "asset_tag", "model")

# header spellings seen in vendor lists and spreadsheet exports
HEADER_ALIASES = {
    "serial_number": "serial",
    "serialnumber": "serial",
    "seriennummer": "serial",
    "device_serial_number": "serial",
    "sn": "serial",
    "mac_address": "mac",
    "macaddress": "mac",
    "wifi_mac": "mac",
    "wi_fi_mac": "mac",
    "mac_adresse": "mac",
    "wlan_mac": "mac",
    "asset": "asset_tag",
    "asset_tag_label": "asset_tag",
    "assettag": "asset_tag",
    "inventarnummer": "asset_tag",
    "inventory_number": "asset_tag",
    "modell": "model",
    "device_model": "model",
    "hardware_hash": "hardware_hash",
    "hash": "hardware_hash",
    "windows_product_id": "product_id",
    "productid": "product_id",
}

SERIAL_RE = re.compile(r"[A-Z0-9][A-Z0-9-]{3,31}\Z")
ASSET_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}\Z")
HASH_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}\Z")
PRODUCT_RE = re.compile(r"[A-Za-z0-9-]{1,64}\Z")
_MAC_HEX = re.compile(r"[0-9a-fA-F]{12}\Z")
_MAC_SEP = re.compile(
    r"([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}\Z|([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}\Z"
)


class Device(NamedTuple):
    """One device; a NamedTuple because inventories have many thousands of rows."""

    serial: str
    mac: str
    asset_tag: str
    model: str
    hardware_hash: str = ""
    product_id: str = ""
    line: int = 0


def normalize_mac(value: str) -> str | None:
    """`AA-BB-CC-DD-EE-FF`, `aa:bb:..`, `aabb.ccdd.eeff`, `AABBCCDDEEFF` -> `aa:bb:cc:dd:ee:ff`."""
    v = value.strip()
    if _MAC_SEP.match(v):
        v = v.replace(":", "").replace("-", "").replace(".", "")
    elif not _MAC_HEX.match(v):
        return None
    v = v.lower()
    return ":".join(v[i : i + 2] for i in range(0, 12, 2))


def mac_problem(mac: str) -> str:
    """Why a well-formed MAC (aa:bb:cc:dd:ee:ff) is not a device's own address, or ''.
    Locally administered addresses (second-lowest bit) are fine: iPads use them too."""
    if int(mac[:2], 16) & 1:
        kind = "the broadcast address" if mac == "ff:ff:ff:ff:ff:ff" else "a multicast address"
        return f"'{mac}' is {kind}, not a device's own address"
    if mac == "00:00:00:00:00:00":
        return "'00:00:00:00:00:00' is no device's address"
    return ""


def _header_key(raw: str) -> str:
    key = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    return HEADER_ALIASES.get(key, key)


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _col_of(line_text: str, delim: str, index: int) -> int:
    if '"' in line_text:
        return 1
    parts = line_text.split(delim)
    return sum(len(p) + 1 for p in parts[:index]) + 1


def read_devices(path: str, data: bytes, max_bytes: int) -> tuple[list[Device], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    if len(data) > max_bytes:
        hint = "split the school's inventory or ask the IT centre to raise limits.max_csv_bytes"
        msg = f"the file has {len(data)} bytes; the limit is {max_bytes}"
        return [], [Diagnostic(path, 1, 1, "file-too-large", msg, hint)]
    text, diag = decode_text(path, data)
    if diag or text is None:
        return [], [diag] if diag else []
    diags.extend(bad_text(path, text))
    lines = split_lines(text)
    if not lines or not lines[0].strip():
        hint = "the first line names the columns: " + ",".join(REQUIRED)
        return [], [Diagnostic(path, 1, 1, "csv-header", "the file has no header line", hint)]
    delim = _delimiter(lines[0])
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delim, skipinitialspace=True, strict=True
    )
    try:
        header = [_header_key(h) for h in next(reader)]
    except csv.Error as exc:
        return [], [*diags, csv_error(path, 1, exc)]
    while header and not header[-1]:  # spreadsheets export empty trailing columns
        header.pop()
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        col = _col_of(lines[0], delim, i)
        if name in index:
            diags.append(
                Diagnostic(path, 1, col, "csv-header", f"the column '{name}' appears twice")
            )
        elif name not in COLUMNS:
            hint = did_you_mean(name, COLUMNS) or "known columns: " + ", ".join(COLUMNS)
            diags.append(
                Diagnostic(path, 1, col, "csv-unknown-column", f"unknown column '{name}'", hint)
            )
        else:
            index[name] = i
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        diags.append(
            Diagnostic(
                path,
                1,
                1,
                "csv-missing-column",
                "missing column(s): " + ", ".join(missing),
                "the header needs: " + ",".join(REQUIRED),
            )
        )
    if any(d.code != "invalid-text" for d in diags):
        return [], diags
    if '"' not in text:  # no quoting: every record is one line, the fast path applies
        fast, found = _read_lines(path, lines, header, delim, index)
        return fast, diags + found
    devices: list[Device] = []
    rows: list[tuple[int, list[str]]] = []
    end = reader.line_num
    try:
        for row in reader:
            rows.append(
                (end + 1, row)
            )  # a quoted value may span lines: a record starts after the last
            end = reader.line_num
    except csv.Error as exc:  # e.g. an unclosed quote, or a field over the csv module's limit
        return [], [*diags, csv_error(path, end + 1, exc)]
    for line, row in rows:
        dev, row_diags = _row(
            path, line, lines[line - 1] if line <= len(lines) else "", delim, row, index
        )
        diags.extend(row_diags)
        if dev is not None:
            devices.append(dev)
    return devices, diags


def _row(
    path: str, line: int, line_text: str, delim: str, row: list[str], index: dict[str, int]
) -> tuple[Device | None, list[Diagnostic]]:
    if not any(cell.strip() for cell in row):
        return None, []
    while len(row) > len(index) and not row[-1].strip():
        row = row[:-1]  # empty trailing cells, as spreadsheets export them
    if len(row) != len(index):
        hint = f"check for a stray '{delim}' or a missing value"
        msg = f"the row has {len(row)} fields; the header has {len(index)}"
        return None, [Diagnostic(path, line, 1, "csv-row", msg, hint)]
    return _device(path, line, line_text, delim, row, index)


# A clean row in one regex match, built for the file's own column order and delimiter;
# a row it does not match goes through the csv module and the per-field checks. Both give the
# same result for any row (tests compare them), the fast one at a tenth of the cost.
_HEX = "[0-9A-Fa-f]"
_FIRST = "[0-9A-Fa-f][02468aceACE]"  # a unicast first octet: its lowest bit is clear
_MAC_ANY = (
    f"{_FIRST}(?:[:-]{_HEX}{{2}}){{5}}|{_FIRST}{_HEX}{{2}}\\.{_HEX}{{4}}\\.{_HEX}{{4}}"
    f"|{_FIRST}{_HEX}{{10}}"
)


def _field_patterns(delim: str) -> dict[str, str]:
    d = re.escape(delim)
    return {
        "serial": r"([A-Za-z0-9][A-Za-z0-9-]{3,31})",
        "mac": f"({_MAC_ANY})",
        "asset_tag": r"([A-Za-z0-9][A-Za-z0-9._/-]{0,63})",
        "model": f"([^{d}\\s](?:[^{d}]{{0,98}}[^{d}\\s])?)",
        "hardware_hash": r"((?:[A-Za-z0-9+/]+={0,2})?)",
        "product_id": r"((?:[A-Za-z0-9-]{1,64})?)",
    }


@functools.cache
def _fast_row(header: tuple[str, ...], delim: str) -> re.Pattern[str]:
    fields = _field_patterns(delim)
    # empty trailing cells, as spreadsheets export them, are allowed
    return re.compile(
        re.escape(delim).join(fields[h] for h in header) + f"(?:{re.escape(delim)})*\\Z"
    )


def _fast_mac(value: str) -> str:
    if _CANON_MAC.match(value):
        return value
    h = value.translate(_MAC_SEPARATORS).lower()
    return f"{h[0:2]}:{h[2:4]}:{h[4:6]}:{h[6:8]}:{h[8:10]}:{h[10:12]}"


_MAC_SEPARATORS = str.maketrans("", "", ":-.")


def _read_lines(
    path: str, lines: list[str], header: list[str], delim: str, index: dict[str, int]
) -> tuple[list[Device], list[Diagnostic]]:
    fast = _fast_row(tuple(header), delim)
    pos = [index.get(name) for name in COLUMNS]
    devices: list[Device] = []
    diags: list[Diagnostic] = []
    for line, text in enumerate(lines[1:], start=2):
        m = fast.match(text)
        if m is not None:
            g = m.groups()
            mac = _fast_mac(g[pos[1]])  # type: ignore[index]
            if mac != _ZERO_MAC:
                hw = g[pos[4]] if pos[4] is not None else ""
                pid = g[pos[5]] if pos[5] is not None else ""
                serial = g[pos[0]].upper()  # type: ignore[index]
                devices.append(Device(serial, mac, g[pos[2]], g[pos[3]], hw, pid, line))  # type: ignore[index]
                continue
        row = next(csv.reader([text], delimiter=delim, skipinitialspace=True), [])
        dev, found = _row(path, line, text, delim, row, index)
        diags.extend(found)
        if dev is not None:
            devices.append(dev)
    return devices, diags


_ZERO_MAC = "00:00:00:00:00:00"
_CANON_MAC = re.compile(r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}\Z")


def _device(
    path: str, line: int, line_text: str, delim: str, row: list[str], index: dict[str, int]
) -> tuple[Device | None, list[Diagnostic]]:
    # fast path first: an inventory of thousands of rows is almost always clean
    cells = {name: row[i].strip() for name, i in index.items()}
    serial = cells["serial"].replace(" ", "")
    if serial.isascii():  # never upper-case first: 'ß' would become 'SS' and pass
        serial = serial.upper()
    raw_mac = cells["mac"]
    mac = raw_mac if _CANON_MAC.match(raw_mac) else normalize_mac(raw_mac)
    if mac is not None and mac_problem(mac):
        mac = None
    asset, model = cells["asset_tag"], cells["model"]
    hw, pid = cells.get("hardware_hash", ""), cells.get("product_id", "")
    if (
        mac is not None
        and SERIAL_RE.match(serial)
        and ASSET_RE.match(asset)
        and 0 < len(model) <= 100
        and (not hw or HASH_RE.match(hw))
        and (not pid or PRODUCT_RE.match(pid))
    ):
        return Device(serial, mac, asset, model, hw, pid, line), []
    return None, _row_findings(path, line, line_text, delim, index, cells, serial, mac)


def _row_findings(
    path: str,
    line: int,
    line_text: str,
    delim: str,
    index: dict[str, int],
    cells: dict[str, str],
    serial: str,
    mac: str | None,
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []

    def bad(name: str, code: str, message: str, hint: str) -> None:
        col = _col_of(line_text, delim, index[name])
        diags.append(Diagnostic(path, line, col, code, message, hint))

    if not SERIAL_RE.match(serial):
        bad(
            "serial",
            "invalid-serial",
            f"'{cells['serial']}' is not a serial number",
            "4 to 32 letters, digits or '-'",
        )
    if mac is None:
        canonical = normalize_mac(cells["mac"])
        problem = mac_problem(canonical) if canonical else ""
        bad(
            "mac",
            "invalid-mac",
            problem or f"'{cells['mac']}' is not a MAC address",
            "the device's Wi-Fi address, as on the vendor's list"
            if problem
            else "write it like aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff",
        )
    if not ASSET_RE.match(cells["asset_tag"]):
        bad(
            "asset_tag",
            "invalid-asset-tag",
            f"'{cells['asset_tag']}' is not an asset tag",
            "up to 64 letters, digits or . _ / -, starting with a letter or digit",
        )
    model = cells["model"]
    if not model or len(model) > 100:
        bad(
            "model",
            "invalid-model",
            "the model is empty or longer than 100 characters",
            "write the model as on the vendor's list, e.g. 'iPad (10th generation)'",
        )
    hw = cells.get("hardware_hash", "")
    if hw and not HASH_RE.match(hw):
        bad(
            "hardware_hash",
            "invalid-hardware-hash",
            "the hardware hash is not base64",
            "copy it unchanged from the vendor's Autopilot file",
        )
    pid = cells.get("product_id", "")
    if pid and not PRODUCT_RE.match(pid):
        bad(
            "product_id",
            "invalid-product-id",
            f"'{pid}' is not a Windows product id",
            "letters, digits and '-' only",
        )
    return diags


def write_devices(devices: Iterable[Device]) -> str:
    """The canonical devices.csv: comma-separated, fixed columns, rows sorted by serial."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for d in sorted(devices, key=lambda d: d.serial):
        writer.writerow((d.serial, d.mac, d.asset_tag, d.model, d.hardware_hash, d.product_id))
    return out.getvalue()
