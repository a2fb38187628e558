"""devices.csv: reading what vendors and spreadsheets hand us, and writing one canonical form."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from compiler.inventory import Device, normalize_mac, read_devices, write_devices
from tests.helpers import REPO

LIMIT = 16_777_216
HEADER = "serial,mac,asset_tag,model\n"


def read(text: str | bytes, max_bytes: int = LIMIT) -> tuple[list[Device], list[tuple]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    devices, diags = read_devices("schools/x/devices.csv", data, max_bytes)
    for d in diags:
        assert d.path == "schools/x/devices.csv"
    return devices, [(d.line, d.col, d.code) for d in diags]


def device_schema() -> Draft202012Validator:
    schema = json.loads((REPO / "schemas" / "device.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def as_row(d: Device) -> dict[str, str]:
    row = {"serial": d.serial, "mac": d.mac, "asset_tag": d.asset_tag, "model": d.model}
    if d.hardware_hash:
        row["hardware_hash"] = d.hardware_hash
    if d.product_id:
        row["product_id"] = d.product_id
    return row


# --- MAC notations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "AA-BB-CC-DD-EE-FF",
        "aa-bb-cc-dd-ee-ff",
        "aa:bb:cc:dd:ee:ff",
        "AA:BB:CC:DD:EE:FF",
        "aabb.ccdd.eeff",
        "AABB.CCDD.EEFF",
        "AABBCCDDEEFF",
        "aabbccddeeff",
        "  AA-BB-CC-DD-EE-FF  ",
    ],
)
def test_mac_notations_normalise(raw: str) -> None:
    assert normalize_mac(raw) == "aa:bb:cc:dd:ee:ff"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "aa:bb:cc:dd:ee",
        "aa:bb:cc:dd:ee:ff:00",
        "gg:bb:cc:dd:ee:ff",
        "aabbccddeef",
        "aabbccddeeff0",
        "aa.bb.cc.dd.ee.ff",
        "aabb-ccdd-eeff",
        "aa bb cc dd ee ff",
        "aa:bb-cc:dd-ee:ff:",
        "\u0661\u0661:bb:cc:dd:ee:ff",
    ],
)
def test_bad_mac_is_none(raw: str) -> None:
    assert normalize_mac(raw) is None


# --- reading ----------------------------------------------------------------------------------


def test_comma_file() -> None:
    devices, diags = read(HEADER + "DMP00001,AA-BB-CC-DD-EE-01,T-1,iPad (10th generation)\n")
    assert diags == []
    assert devices == [
        Device("DMP00001", "aa:bb:cc:dd:ee:01", "T-1", "iPad (10th generation)", line=2)
    ]


def test_semicolon_file_with_commas_in_a_cell() -> None:
    text = "serial;mac;asset_tag;model\nPF0001;aabb.ccdd.ee01;T-1;Lenovo 300w, Gen 4\n"
    devices, diags = read(text)
    assert diags == []
    assert devices[0].model == "Lenovo 300w, Gen 4"
    assert devices[0].mac == "aa:bb:cc:dd:ee:01"


def test_spreadsheet_export_german_headers_bom_spaces_crlf() -> None:
    text = (
        "\ufeffSeriennummer; MAC-Adresse ;Inventarnummer; Modell\r\n"
        " dmp00001 ; AA-BB-CC-DD-EE-01 ; INV-0001 ; iPad (10th generation) \r\n"
        "DMP00002;AABBCCDDEE02;INV-0002;iPad (9th generation)\r\n"
    )
    devices, diags = read(text)
    assert diags == []
    assert devices == [
        Device("DMP00001", "aa:bb:cc:dd:ee:01", "INV-0001", "iPad (10th generation)", line=2),
        Device("DMP00002", "aa:bb:cc:dd:ee:02", "INV-0002", "iPad (9th generation)", line=3),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "Serial Number,Wi-Fi MAC,Asset Tag,Device Model",
        "SERIAL,MAC,ASSET_TAG,MODEL",
        "Seriennummer,MAC-Adresse,Inventarnummer,Modell",
        "serial_number,mac_address,assettag,model",
    ],
)
def test_header_spellings(header: str) -> None:
    devices, diags = read(header + "\nDMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\n")
    assert diags == []
    assert [d.serial for d in devices] == ["DMP00001"]


def test_optional_windows_columns() -> None:
    text = (
        "serial,mac,asset_tag,model,hardware_hash,product_id\n"
        "PF0001,aa:bb:cc:dd:ee:01,T-1,Dell Latitude 3140,SGVsbG8=,00330-80000-00000-AA123\n"
        "PF0002,aa:bb:cc:dd:ee:02,T-2,Dell Latitude 3140,,\n"
    )
    devices, diags = read(text)
    assert diags == []
    assert devices[0].hardware_hash == "SGVsbG8="
    assert devices[0].product_id == "00330-80000-00000-AA123"
    assert devices[1].hardware_hash == ""


def test_blank_lines_are_skipped_and_lines_still_count() -> None:
    devices, diags = read(HEADER + "\nDMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\n\n , ,,\n")
    assert diags == []
    assert [(d.serial, d.line) for d in devices] == [("DMP00001", 3)]


def test_header_only_is_an_empty_inventory() -> None:
    assert read(HEADER) == ([], [])


@pytest.mark.parametrize("text", ["", "\n", "   \nDMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\n"])
def test_missing_header(text: str) -> None:
    assert read(text) == ([], [(1, 1, "csv-header")])


def test_invalid_mac_at_its_line_and_column() -> None:
    text = HEADER + "DMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\nDMP00002,aa:bb:cc:dd:ee:zz,T-2,iPad\n"
    devices, diags = read(text)
    assert diags == [(3, 10, "invalid-mac")]
    assert [d.serial for d in devices] == ["DMP00001"]


def test_invalid_mac_column_with_semicolons() -> None:
    text = "model;serial;mac;asset_tag\niPad;DMP00001;01-02;T-1\n"
    _, diags = read(text)
    assert diags == [(2, 15, "invalid-mac")]


def test_invalid_mac_message_and_hint() -> None:
    _, diags = read_devices("d.csv", (HEADER + "DMP00001,nope,T-1,iPad\n").encode(), LIMIT)
    assert diags[0].code == "invalid-mac"
    assert "'nope'" in diags[0].message
    assert "aa:bb:cc:dd:ee:ff" in diags[0].hint


@pytest.mark.parametrize(
    ("serial", "ok"),
    [
        ("DMP00001", True),
        ("dmp00001", True),
        ("5CG-1234", True),
        ("ABCD", True),
        ("A" * 32, True),
        ("ABC", False),
        ("A" * 33, False),
        ("-ABCD", False),
        ("ABC_D", False),
        ("ABC/D", False),
        ("", False),
    ],
)
def test_serial_rule(serial: str, ok: bool) -> None:
    devices, diags = read(HEADER + f"{serial},aa:bb:cc:dd:ee:01,T-1,iPad\n")
    if ok:
        assert diags == []
        assert devices[0].serial == serial.upper()
    else:
        assert devices == []
        assert diags == [(2, 1, "invalid-serial")]


def test_bad_asset_tag_model_hash_and_product_id_each_reported() -> None:
    text = (
        "serial,mac,asset_tag,model,hardware_hash,product_id\n"
        "PF0001,aa:bb:cc:dd:ee:01,-T,,not base64!,id with spaces\n"
    )
    devices, diags = read(text)
    assert devices == []
    assert diags == [
        (2, 26, "invalid-asset-tag"),
        (2, 29, "invalid-model"),
        (2, 30, "invalid-hardware-hash"),
        (2, 42, "invalid-product-id"),
    ]


def test_missing_column() -> None:
    devices, diags = read("serial,mac,model\nDMP00001,aa:bb:cc:dd:ee:01,iPad\n")
    assert devices == []
    assert diags == [(1, 1, "csv-missing-column")]


def test_missing_column_message_names_it() -> None:
    _, diags = read_devices("d.csv", b"serial;mac\n", LIMIT)
    assert diags[0].code == "csv-missing-column"
    assert "asset_tag" in diags[0].message
    assert "model" in diags[0].message


def test_unknown_column_with_did_you_mean() -> None:
    data = b"serial,mac,asset-tags,model\nDMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\n"
    devices, diags = read_devices("d.csv", data, LIMIT)
    assert devices == []
    unknown = [d for d in diags if d.code == "csv-unknown-column"]
    assert len(unknown) == 1
    assert (unknown[0].line, unknown[0].col) == (1, 12)
    assert unknown[0].message == "unknown column 'asset_tags'"
    assert unknown[0].hint == "did you mean 'asset_tag'?"


def test_duplicate_column() -> None:
    _, diags = read("serial,mac,asset_tag,model,Seriennummer\n")
    assert diags == [(1, 28, "csv-header")]


@pytest.mark.parametrize(
    "row", ["DMP00001,aa:bb:cc:dd:ee:01,T-1", "DMP00001,aa:bb:cc:dd:ee:01,T-1,iPad,extra"]
)
def test_wrong_field_count(row: str) -> None:
    devices, diags = read(HEADER + "DMP00002,aa:bb:cc:dd:ee:02,T-2,iPad\n" + row + "\n")
    assert diags == [(3, 1, "csv-row")]
    assert [d.serial for d in devices] == ["DMP00002"]


def test_wrong_field_count_hint_names_the_delimiter() -> None:
    text = "serial;mac;asset_tag;model\nDMP00001;aa:bb:cc:dd:ee:01;T-1;iPad;x\n"
    _, diags = read_devices("d.csv", text.encode(), LIMIT)
    assert diags[0].code == "csv-row"
    assert "';'" in diags[0].hint


def test_all_bad_rows_are_reported_in_one_pass() -> None:
    text = HEADER + "AB,aa:bb:cc:dd:ee:01,T-1,iPad\nDMP00002,xx,T-2,iPad\nDMP00003,aa\n"
    _, diags = read(text)
    assert [(line, code) for line, _, code in diags] == [
        (2, "invalid-serial"),
        (3, "invalid-mac"),
        (4, "csv-row"),
    ]


def test_latin1_file_is_not_utf8() -> None:
    text = (
        "Seriennummer;MAC-Adresse;Inventarnummer;Modell\nDMP00001;aa:bb:cc:dd:ee:01;Büro-1;iPad\n"
    )
    devices, diags = read(text.encode("latin-1"))
    assert devices == []
    assert diags == [(2, 29, "not-utf8")]


def test_nul_bytes_are_not_text() -> None:
    devices, diags = read(HEADER.encode() + b"DMP00001,aa:bb\x00,T-1,iPad\n")
    assert devices == []
    assert diags == [(2, 1, "not-text")]


def test_over_size_is_rejected() -> None:
    data = (HEADER + "DMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\n").encode()
    devices, diags = read(data, max_bytes=len(data) - 1)
    assert devices == []
    assert diags == [(1, 1, "file-too-large")]


def test_huge_field_is_a_finding_not_a_crash() -> None:
    # Python's csv module refuses fields over 128 KiB with csv.Error; that must not escape
    data = HEADER.encode() + b'DMP00001,aa:bb:cc:dd:ee:01,T-1,"' + b"x" * 200_000 + b'"\n'
    devices, diags = read_devices("d.csv", data, LIMIT)
    assert devices == []
    assert len(diags) == 1
    assert diags[0].path == "d.csv"
    assert diags[0].line == 2


# --- writing ----------------------------------------------------------------------------------


def test_write_devices_is_canonical_and_sorted_by_serial() -> None:
    devices = [
        Device("ZZZ00001", "aa:bb:cc:dd:ee:03", "T-3", "iPad, blue", line=9),
        Device("AAA00001", "aa:bb:cc:dd:ee:01", "T-1", "iPad", "SGVsbG8=", "P-1", line=4),
        Device("MMM00001", "aa:bb:cc:dd:ee:02", "T-2", 'iPad "Pro"', line=2),
    ]
    assert write_devices(devices) == (
        "serial,mac,asset_tag,model,hardware_hash,product_id\n"
        "AAA00001,aa:bb:cc:dd:ee:01,T-1,iPad,SGVsbG8=,P-1\n"
        'MMM00001,aa:bb:cc:dd:ee:02,T-2,"iPad ""Pro""",,\n'
        'ZZZ00001,aa:bb:cc:dd:ee:03,T-3,"iPad, blue",,\n'
    )


def test_write_of_nothing_is_the_header() -> None:
    assert write_devices([]) == "serial,mac,asset_tag,model,hardware_hash,product_id\n"


def test_round_trip() -> None:
    text = (
        "\ufeffSeriennummer;MAC-Adresse;Inventarnummer;Modell\n"
        "zzz00001;AA-BB-CC-DD-EE-03;T-3;iPad, blue\n"
        'aaa00001;aabb.ccdd.ee01;T-1;iPad "Pro"\n'
    )
    first, diags = read(text)
    assert diags == []
    canonical = write_devices(first)
    second, diags = read(canonical)
    assert diags == []
    strip = [(d.serial, d.mac, d.asset_tag, d.model) for d in sorted(first, key=lambda d: d.serial)]
    assert [(d.serial, d.mac, d.asset_tag, d.model) for d in second] == strip
    assert write_devices(second) == canonical


# --- the fast row checks agree with schemas/device.schema.json -------------------------------


def test_read_rows_validate_against_the_device_schema() -> None:
    text = (
        "serial,mac,asset_tag,model,hardware_hash,product_id\n"
        "dmp00001,AA-BB-CC-DD-EE-01,T-1,iPad (10th generation),,\n"
        "5CG-0002,aabb.ccdd.ee02,MK/GYM.02_x,Lenovo 300w Yoga Gen 4,SGVsbG8gV29ybGQ=,AB-12\n"
        f"{'A' * 32},AABBCCDDEE03,{'t' * 64},{'m' * 100},,\n"
    )
    devices, diags = read(text)
    assert diags == []
    assert len(devices) == 3
    validator = device_schema()
    for d in devices:
        assert list(validator.iter_errors(as_row(d))) == [], d


FIELD_CASES = [
    ("serial", "A1B2", "DMP00001"),
    ("serial", "ABC", "DMP00001"),
    ("serial", "A" * 33, "DMP00001"),
    ("serial", "-ABCD", "DMP00001"),
    ("serial", "AB_CD", "DMP00001"),
    ("serial", "ABÄD", "DMP00001"),
    ("asset_tag", "T", "T-1"),
    ("asset_tag", "t" * 65, "T-1"),
    ("asset_tag", ".T", "T-1"),
    ("asset_tag", "T 1", "T-1"),
    ("asset_tag", "T#1", "T-1"),
    ("model", "m" * 100, "iPad"),
    ("model", "m" * 101, "iPad"),
    ("hardware_hash", "SGVsbG8=", ""),
    ("hardware_hash", "SGVs bG8=", ""),
    ("hardware_hash", "SGVsbG8===", ""),
    ("product_id", "p" * 64, ""),
    ("product_id", "p" * 65, ""),
    ("product_id", "P_1", ""),
]


@pytest.mark.parametrize(("column", "value", "_default"), FIELD_CASES)
def test_row_check_and_schema_agree(column: str, value: str, _default: str) -> None:
    row = {
        "serial": "DMP00001",
        "mac": "aa:bb:cc:dd:ee:01",
        "asset_tag": "T-1",
        "model": "iPad",
        "hardware_hash": "",
        "product_id": "",
    }
    row[column] = value
    cols = list(row)
    text = ",".join(cols) + "\n" + ",".join(row[c] for c in cols) + "\n"
    devices, _ = read(text)
    reader_ok = len(devices) == 1
    schema_row = {k: v for k, v in row.items() if v or k in ("serial", "asset_tag", "model")}
    schema_ok = not list(device_schema().iter_errors(schema_row))
    assert reader_ok == schema_ok, (column, value)


def test_empty_trailing_columns_from_a_spreadsheet_are_ignored() -> None:
    data = (
        b"Seriennummer;MAC-Adresse;Inventarnummer;Modell;;\r\n"
        b"h7k2lq9xjn;AA-BB-CC-DD-EE-01;MK-T-1;iPad (10th generation);;\r\n"
        b"H7K2LQ9XJM;aabb.ccdd.ee02;MK-T-2;iPad (9th generation);\r\n"
    )
    devices, diags = read_devices("d.csv", data, 1 << 20)
    assert diags == []
    assert [(d.serial, d.mac, d.line) for d in devices] == [
        ("H7K2LQ9XJN", "aa:bb:cc:dd:ee:01", 2),
        ("H7K2LQ9XJM", "aa:bb:cc:dd:ee:02", 3),
    ]
    devices, diags = read_devices(
        "d.csv", data.replace(b"MK-T-2;iPad (9th generation);", b"MK-T-2;iPad;x"), 1 << 20
    )
    assert [(d.code, d.line) for d in diags] == [("csv-row", 3)]


ROWS = [
    "h7k2lq9xjn;AA-BB-CC-DD-EE-01;MK-1;iPad (10th generation);;",
    "H7K2LQ9XJM;aabb.ccdd.ee02;MK-2;iPad (9th generation);QUJD;",
    "PF2ABCDE;AABBCCDDEE03;MK-3;Lenovo 300w;;00330-80000-00000-AAOEM",
    "PF2ABCDF;aa:bb:cc:dd:ee:04;MK-4; spaced model ;;",
    "bad serial!;aa:bb:cc:dd:ee:05;MK-5;x;;",
    "PF2ABCDG;not-a-mac;MK-6;x;;",
    "PF2ABCDH;aa:bb:cc:dd:ee:07;;x;;",
    "PF2ABCDI;aa:bb:cc:dd:ee:08;MK-8;;;",
    "PF2ABCDJ;aa:bb:cc:dd:ee:09;MK-9;x;###;",
    "PF2ABCDK;aa:bb:cc:dd:ee:10;MK-10;x",
    "",
    "   ",
    "PF2ABCDL;aa:bb:cc:dd:ee:11;MK-11;x;;;;",
]


@pytest.mark.parametrize("delim", [";", ","])
def test_fast_path_and_csv_path_agree(delim: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row gives the same device or finding whether the one-regex fast path takes it or
    the csv module and the per-field checks do."""
    import re

    import compiler.inventory as inventory

    header = "serial;mac;asset_tag;model;hardware_hash;product_id"
    text = "\n".join([header, *ROWS]).replace(";", delim) + "\n"
    fast = read_devices("d.csv", text.encode(), 1 << 20)
    never = re.compile(r"(?!)")
    monkeypatch.setattr(inventory, "_fast_row", lambda header, delim: never)
    slow = read_devices("d.csv", text.encode(), 1 << 20)
    assert fast == slow
    assert len(fast[0]) == 5 and {d.code for d in fast[1]} >= {
        "invalid-serial",
        "invalid-mac",
        "csv-row",
    }


# --- hostile text: every problem is a finding at its line ---------------------------------------


@pytest.mark.parametrize(
    "serial", ["straße12", "\u0131PAD1234", "\u017fERIAL01", "\uff21\uff22\uff23\uff241234"]
)
def test_serial_is_checked_as_ascii_before_upper_casing(serial: str) -> None:
    # 'ß'.upper() is 'SS', a dotless i becomes 'I', a long s 'S': upper-casing first passes them
    devices, diags = read(HEADER + f"{serial},aa:bb:cc:dd:ee:01,T-1,iPad\n")
    assert devices == []
    assert diags == [(2, 1, "invalid-serial")]


@pytest.mark.parametrize(
    "mac",
    [
        "ff:ff:ff:ff:ff:ff",
        "01:00:5e:00:00:01",
        "33-33-00-00-00-01",
        "0100.5e00.0001",
        "0B0000000001",
        "00:00:00:00:00:00",
    ],
)
def test_multicast_broadcast_and_zero_macs_are_not_device_addresses(mac: str) -> None:
    devices, diags = read(HEADER + f"DMP00001,{mac},T-1,iPad\n")
    assert devices == []
    assert diags == [(2, 10, "invalid-mac")]
    _, found = read_devices("d.csv", (HEADER + f"DMP00001,{mac},T-1,iPad\n").encode(), LIMIT)
    assert "address" in found[0].message


@pytest.mark.parametrize("mac", ["02:4b:00:00:00:01", "0a:4b:00:00:00:01", "0e:00:00:00:00:01"])
def test_locally_administered_unicast_macs_stay_valid(mac: str) -> None:
    devices, diags = read(HEADER + f"DMP00001,{mac},T-1,iPad\n")
    assert diags == []
    assert devices[0].mac == mac


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\x0b"])
def test_line_numbers_count_only_real_line_ends(separator: str) -> None:
    # str.splitlines() splits at these too; the csv module does not, nor does a person's editor
    text = (
        HEADER
        + f"DMP00001,aa:bb:cc:dd:ee:01,T-1,iPad{separator}x\nDMP00002,aa:bb:cc:dd:ee:zz,T-2,iPad\n"
    )
    _, diags = read(text)
    assert (3, 10, "invalid-mac") in diags


def test_control_and_noncharacters_in_a_cell_are_invalid_text_at_their_position() -> None:
    text = (
        HEADER
        + "DMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\x07\nDMP00002,aa:bb:cc:dd:ee:02,T-2,iPad\uffff\n"
    )
    _, diags = read(text)
    assert (2, 36, "invalid-text") in diags
    assert (3, 36, "invalid-text") in diags


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('"serial,mac,asset_tag,model\nDMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\n', 1),
        (HEADER + '"DMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\nDMP00002,aa:bb:cc:dd:ee:02,T-2,iPad\n', 2),
        (HEADER + 'DMP00001,aa:bb:cc:dd:ee:01,T-1,"iPad"x\n', 2),
        ('"' + "x" * 200_000 + "\n", 1),
        (
            HEADER
            + "DMP00001,aa:bb:cc:dd:ee:01,T-1,iPad\nDMP2,aa,T,"
            + '"'
            + "y" * 140_000
            + '"\n',
            3,
        ),
    ],
)
def test_csv_module_errors_are_findings_at_the_row(text: str, line: int) -> None:
    _, diags = read(text)
    assert [d for d in diags if d[2] == "csv-row"] == [(line, 1, "csv-row")]
