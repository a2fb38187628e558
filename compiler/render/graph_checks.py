"""Checks a Graph body against rules Graph enforces, before anything reaches Intune."""

from __future__ import annotations

from typing import Any

from compiler.render.graph import MAIL_NICKNAME

OMA_TYPES: dict[str, tuple[type, ...]] = {
    "#microsoft.graph.omaSettingString": (str,),
    "#microsoft.graph.omaSettingInteger": (int,),
    "#microsoft.graph.omaSettingBoolean": (bool,),
    "#microsoft.graph.omaSettingFloatingPoint": (float, int),
    "#microsoft.graph.omaSettingBase64": (str,),
    "#microsoft.graph.omaSettingStringXml": (str,),
    "#microsoft.graph.omaSettingDateTime": (str,),
}
MAX_DISPLAY_NAME = 256
MAX_DESCRIPTION = 1024


def problems(collection: str, body: dict[str, Any]) -> list[str]:
    out: list[str] = []
    name = body.get("displayName", body.get("name"))
    if not isinstance(name, str) or not name.strip():
        out.append("the object has no name")
    elif len(name) > MAX_DISPLAY_NAME:
        out.append(f"the name has {len(name)} characters; Graph allows {MAX_DISPLAY_NAME}")
    desc = body.get("description", "")
    if isinstance(desc, str) and len(desc) > MAX_DESCRIPTION:
        out.append(f"the description has {len(desc)} characters; Graph allows {MAX_DESCRIPTION}")
    if collection == "groups" and not MAIL_NICKNAME.match(str(body.get("mailNickname", ""))):
        out.append(
            f"'{body.get('mailNickname')}' is not a valid mailNickname (1-64 ASCII characters, no spaces or @()\\[]\";:<>,)"
        )
    for i, setting in enumerate(body.get("omaSettings", []) or []):
        where = f"omaSettings[{i}]"
        uri = setting.get("omaUri", "")
        if not (
            isinstance(uri, str) and (uri.startswith("./Device/") or uri.startswith("./User/"))
        ):
            out.append(f"{where}: the OMA-URI '{uri}' must start with ./Device/ or ./User/")
        kind = setting.get("@odata.type")
        allowed = OMA_TYPES.get(str(kind))
        value = setting.get("value")
        if allowed is None:
            out.append(f"{where}: unknown OMA setting type '{kind}'")
        elif isinstance(value, bool) and bool not in allowed:
            out.append(f"{where}: a {kind} needs a {allowed[0].__name__}, not true/false")
        elif not isinstance(value, allowed):
            out.append(
                f"{where}: a {kind} needs a {allowed[0].__name__}, not {type(value).__name__}"
            )
        elif (
            isinstance(value, int) and not isinstance(value, bool) and not -(2**31) <= value < 2**31
        ):
            out.append(f"{where}: {value} does not fit a 32-bit integer")
    return out
