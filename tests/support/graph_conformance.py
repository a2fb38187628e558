"""An independent check of Graph request bodies against Microsoft's own Graph models.

The oracle is the Kiota-generated Python SDKs (``msgraph-sdk`` for v1.0, ``msgraph-beta-sdk``
for beta), never our own renderer's idea of Graph. A body is parsed with Kiota's JSON parse
node through the SDK's discriminator factory, and the parsed model is then walked side by side
with the input JSON:

* every non-empty ``additional_data`` (a property the model does not define) is a finding at
  the property's JSON path, with a "did you mean" hint;
* an ``@odata.type`` the discriminator does not resolve (Kiota silently falls back to the base
  type), or resolves only case-insensitively, is a finding;
* every value is checked against the type the SDK's own field deserializer asks for. The
  deserializers are probed once per class (see ``_properties``), which tells us, for each JSON
  name, the attribute and the getter (``get_int_value``, ``get_enum_value(Enum)``,
  ``get_collection_of_object_values(Factory)``, ...). Kiota's parser swallows most mismatches
  (a string where an int is expected becomes ``None``, an unknown enum member becomes ``None``,
  a non-list for a collection becomes ``[]``, a bool passes as an int), so we check the JSON
  value against the expected type ourselves, and additionally report any non-null input value
  the parser dropped (parsed attribute is ``None``).

Enum values are compared with the SDK's spelling, case-sensitively ("System" is reported with
"did you mean 'system'?"), although Kiota itself would accept a capitalised first letter.

Why not serialize back with ``JsonSerializationWriter`` and diff? We chose the per-property
check instead: a round trip is noisy (constructors inject a default ``@odata.type``, floats come
back as ``1.0``, datetimes are re-formatted, flags enums are re-joined), and a diff cannot say
which expectation was violated. The per-property check sees every input value, is exact about
the path, and says what type the model wanted.

If Kiota's parser raises (e.g. on a malformed UUID or date) the walk parses each sub-object on
its own, so the finding still lands on the right path.

Cost: this module imports no SDK at import time; model and request-body classes are imported
on first use and cached. But the first body that touches an ``entity`` subtype pays for
``Entity.get_field_deserializers``, which imports every entity model of that SDK: about 2.3 s
and 1,200 modules for v1.0, 4.6 s and 2,800 modules for beta, once per process (Kiota's own
parse does the same). Later checks take milliseconds.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import difflib
import functools
import importlib
import json
import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import UUID

from kiota_abstractions.date_utils import (
    datetime_from_iso_format_compat,
    parse_timedelta_string,
    time_from_iso_format_compat,
)
from kiota_abstractions.serialization import Parsable
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory

__all__ = ["Finding", "check_action_body", "check_body"]

_PACKAGES = {"v1.0": "msgraph", "beta": "msgraph_beta"}
_GRAPH_PREFIX = "#microsoft.graph."
_CONTENT_TYPE = "application/json"
_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NOT_PARSED: Any = object()  # no parsed value to compare with (the parser raised)

# Where the SDK keeps the request builders of an entity set, by the entity's base type.
# Extend when the renderer starts producing action bodies for another collection.
_COLLECTIONS = {
    "deviceConfiguration": "device_management.device_configurations",
    "deviceCompliancePolicy": "device_management.device_compliance_policies",
    "deviceManagementConfigurationPolicy": "device_management.configuration_policies",
    "deviceEnrollmentConfiguration": "device_management.device_enrollment_configurations",
    "windowsAutopilotDeploymentProfile": "device_management.windows_autopilot_deployment_profiles",
    "importedWindowsAutopilotDeviceIdentity": (
        "device_management.imported_windows_autopilot_device_identities"
    ),
    "mobileApp": "device_app_management.mobile_apps",
    "group": "groups",
}


@dataclass(frozen=True)
class Finding:
    path: str  # JSON path like "body.omaSettings[0].foo"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def check_body(api_version: str, model: str, body: dict[str, Any]) -> list[Finding]:
    """Check ``body`` against the Graph type ``model`` (the base type of the collection).

    ``api_version`` is "v1.0" or "beta"; a body's ``@odata.type`` selects the derived type
    through the SDK's discriminator factory.
    """
    return _check(_model_class(api_version, model), body)


def check_action_body(api_version: str, action: str, body: dict[str, Any]) -> list[Finding]:
    """Check the POST body of an action, e.g. ``"mobileApp.assign"``.

    The SDK's generated request-body class (``...mobile_apps.item.assign.AssignPostRequestBody``)
    is the model; collection-bound actions (``importedWindowsAutopilotDeviceIdentity.import``)
    are found, too.
    """
    return _check(_action_class(api_version, action), body)


# --- resolving SDK classes (lazy, cached) ---------------------------------------------------


def _snake(name: str) -> str:
    """Kiota's module naming: every capital letter starts a new word ("macOS" -> "mac_o_s")."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _package(api_version: str) -> str:
    try:
        return _PACKAGES[api_version]
    except KeyError:
        message = f"api_version must be one of {sorted(_PACKAGES)}, not {api_version!r}"
        raise ValueError(message) from None


@functools.cache
def _model_class(api_version: str, model: str) -> type[Parsable]:
    module_name = f"{_package(api_version)}.generated.models.{_snake(model)}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ValueError(f"Graph {api_version} has no model {model!r} ({module_name})") from exc
    cls: type[Parsable] = getattr(module, _pascal(model))
    return cls


@functools.cache
def _action_class(api_version: str, action: str) -> type[Parsable]:
    entity, _, verb = action.rpartition(".")
    if entity not in _COLLECTIONS or not verb:
        raise ValueError(
            f"unknown action {action!r}: expected '<baseType>.<action>' with a base type in "
            f"{sorted(_COLLECTIONS)}"
        )
    verb_snake = _snake(verb)
    folder = f"{verb_snake}_" if keyword.iskeyword(verb_snake) else verb_snake
    root = f"{_package(api_version)}.generated.{_COLLECTIONS[entity]}"
    class_name = f"{_pascal(verb)}PostRequestBody"
    tried = []
    for scope in (f"{root}.item", root):  # bound to one item, or to the collection
        module_name = f"{scope}.{folder}.{verb_snake}_post_request_body"
        tried.append(module_name)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        cls: type[Parsable] = getattr(module, class_name)
        return cls
    raise ValueError(f"Graph {api_version} has no action body for {action!r} (tried {tried})")


@dataclass(frozen=True)
class _Property:
    attribute: str
    getter: str  # the ParseNode method the SDK calls, e.g. "get_enum_value"
    argument: Any  # its argument: an enum class, a primitive type, a Parsable factory, or None
    is_list: bool  # the attribute is annotated as a list (tells flags enums from enum lists)


class _Probe:
    """Stands in for a ParseNode: records which getter a field deserializer calls."""

    VALUE = object()

    def __init__(self) -> None:
        self.call: tuple[str, Any] | None = None

    def __getattr__(self, name: str) -> Callable[..., object]:
        if not name.startswith("get_"):
            raise AttributeError(name)

        def record(*args: Any) -> object:
            self.call = (name, args[0] if args else None)
            return self.VALUE

        return record


@functools.cache
def _properties(cls: type[Parsable]) -> dict[str, _Property]:
    """JSON name -> how the SDK deserializes it, found by calling each deserializer on a probe."""
    annotations = {f.name: str(f.type) for f in dataclasses.fields(cls)}
    holder = cls()  # the deserializers set attributes on the instance that made them
    result: dict[str, _Property] = {}
    for json_name, deserialize in holder.get_field_deserializers().items():
        probe = _Probe()
        deserialize(probe)  # type: ignore[arg-type]
        attributes = [name for name, value in vars(holder).items() if value is _Probe.VALUE]
        if probe.call is None or len(attributes) != 1:
            raise RuntimeError(f"cannot understand the SDK deserializer {cls.__name__}.{json_name}")
        setattr(holder, attributes[0], None)
        getter, argument = probe.call
        is_list = annotations.get(attributes[0], "").startswith("Optional[list[")
        result[json_name] = _Property(attributes[0], getter, argument, is_list)
    return result


@functools.cache
def _default_odata_type(cls: type[Parsable]) -> str | None:
    value = getattr(cls(), "odata_type", None)
    return value if isinstance(value, str) else None


# --- checking --------------------------------------------------------------------------------


def _check(cls: type[Parsable], body: Any) -> list[Finding]:
    findings: list[Finding] = []
    try:
        payload = json.dumps(body, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        return [Finding("body", f"not serializable as JSON: {exc}")]
    data = json.loads(payload)
    if not isinstance(data, dict):
        return [Finding("body", f"expected a JSON object, got {_json_kind(data)}")]
    parsed: Parsable | None
    try:
        node = JsonParseNodeFactory().get_root_parse_node(_CONTENT_TYPE, payload)
        factory: Any = cls  # the class's static create_from_discriminator_value is the factory
        parsed = node.get_object_value(factory)
    except Exception:  # e.g. a malformed UUID; the walk parses sub-objects alone to locate it
        parsed = None
    _Walk(findings).object(data, parsed, cls, "body")
    return findings


class _Walk:
    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings

    def add(self, path: str, message: str) -> None:
        self.findings.append(Finding(path, message))

    def object(
        self, data: dict[str, Any], parsed: Parsable | None, factory: Any, path: str
    ) -> None:
        parse_error: Exception | None = None
        if parsed is None:  # the enclosing parse failed (or never ran): parse this one alone
            try:
                parsed = _json_node(data).get_object_value(factory)
            except Exception as exc:
                parse_error = exc
                parsed = factory.create_from_discriminator_value(_json_node(data))
        assert parsed is not None
        cls: type[Parsable] = type(parsed)
        properties = _properties(cls)
        before = len(self.findings)

        self.discriminator(data, cls, factory, path)
        additional = dict(getattr(parsed, "additional_data", None) or {})
        if parse_error is not None:  # nothing was assigned: compute the unknown names ourselves
            additional = {k: v for k, v in data.items() if k not in properties}
        for name in data:
            if name in additional:
                self.add(_join(path, name), self.unknown_message(name, cls, properties))
        for name, value in data.items():
            if name in additional or value is None:
                continue
            prop = properties.get(name)
            if prop is None:  # Kiota put it nowhere; should not happen, but never hide it
                self.add(_join(path, name), self.unknown_message(name, cls, properties))
                continue
            if name == "@odata.type":
                if not isinstance(value, str):
                    self.add(_join(path, name), f"expected a string, got {_describe(value)}")
                continue
            current = _NOT_PARSED if parse_error else getattr(parsed, prop.attribute, None)
            self.value(value, current, prop, _join(path, name))

        if parse_error is not None and len(self.findings) == before:
            self.add(path, f"the SDK's JSON parser failed: {parse_error!r}")

    def discriminator(self, data: dict[str, Any], cls: type, factory: Any, path: str) -> None:
        requested = data.get("@odata.type")
        if not isinstance(requested, str):
            return
        default = _default_odata_type(cls)
        if default == requested:
            return
        if default is not None and default.casefold() == requested.casefold():
            self.add(
                _join(path, "@odata.type"),
                f"@odata.type {requested!r} differs in case from the SDK's {default!r}",
            )
            return
        short = requested.removeprefix(_GRAPH_PREFIX)
        if requested.startswith(_GRAPH_PREFIX) and cls.__name__ == _pascal(short):
            return
        base = getattr(factory, "__name__", str(factory))
        self.add(
            _join(path, "@odata.type"),
            f"unknown @odata.type {requested!r}: the SDK's discriminator for {base} does not "
            f"know it (parsed as {cls.__name__})",
        )

    @staticmethod
    def unknown_message(name: str, cls: type, properties: dict[str, _Property]) -> str:
        message = f"unknown property {name!r} for {cls.__name__}"
        close = difflib.get_close_matches(name, list(properties), n=1)
        return f"{message}; did you mean {close[0]!r}?" if close else message

    def value(self, value: Any, parsed: Any, prop: _Property, path: str) -> None:
        getter, argument = prop.getter, prop.argument
        if getter == "get_object_value":
            if not isinstance(value, dict):
                self.add(path, f"expected an object, got {_describe(value)}")
                return
            self.object(value, parsed if isinstance(parsed, Parsable) else None, argument, path)
        elif getter == "get_collection_of_object_values":
            if not isinstance(value, list):
                self.add(path, f"expected an array of objects, got {_describe(value)}")
                return
            items = parsed if isinstance(parsed, list) and len(parsed) == len(value) else None
            for index, item in enumerate(value):
                item_path = f"{path}[{index}]"
                if not isinstance(item, dict):
                    self.add(item_path, f"expected an object, got {_describe(item)}")
                    continue
                current = items[index] if items is not None else None
                self.object(
                    item, current if isinstance(current, Parsable) else None, argument, item_path
                )
        elif getter == "get_collection_of_primitive_values":
            if not isinstance(value, list):
                self.add(path, f"expected an array, got {_describe(value)}")
                return
            for index, item in enumerate(value):
                self.primitive(item, _PRIMITIVE_GETTERS.get(argument, ""), f"{path}[{index}]")
        elif getter == "get_collection_of_enum_values":
            self.enum_collection(value, argument, prop.is_list, path)
        elif getter == "get_enum_value":
            self.enum(value, argument, path)
        else:
            if not self.primitive(value, getter, path):
                return
            if parsed is None:  # Kiota returned None for a value we consider valid
                self.add(path, f"the SDK's parser dropped {_describe(value)} ({getter})")

    def primitive(self, value: Any, getter: str, path: str) -> bool:
        if value is None:
            return True
        expected, valid = _PRIMITIVE_CHECKS.get(getter, ("a value", lambda _v: True))
        if not valid(value):
            self.add(path, f"expected {expected}, got {_describe(value)}")
            return False
        return True

    def enum(self, value: Any, enum_class: type[Enum], path: str) -> None:
        members = [str(m.value) for m in enum_class]
        if not isinstance(value, str):
            self.add(path, f"expected a {enum_class.__name__} string, got {_describe(value)}")
        elif value not in members:
            self.add(path, _enum_message(value, enum_class, members))

    def enum_collection(self, value: Any, enum_class: type[Enum], is_list: bool, path: str) -> None:
        if is_list:
            if not isinstance(value, list):
                self.add(
                    path, f"expected an array of {enum_class.__name__}, got {_describe(value)}"
                )
                return
            for index, item in enumerate(value):
                self.enum(item, enum_class, f"{path}[{index}]")
            return
        # A flags enum: Graph writes the members as one comma-separated string.
        if not isinstance(value, str):
            self.add(
                path,
                f"expected a comma-separated {enum_class.__name__} string (flags), "
                f"got {_describe(value)}",
            )
            return
        members = [str(m.value) for m in enum_class]
        for part in value.split(","):
            if part.strip() not in members:
                self.add(path, _enum_message(part.strip(), enum_class, members))


def _enum_message(value: str, enum_class: type[Enum], members: list[str]) -> str:
    message = f"{value!r} is not a member of {enum_class.__name__}"
    close = [m for m in members if m.casefold() == value.casefold()]
    close = close or difflib.get_close_matches(value, members, n=1)
    return f"{message}; did you mean {close[0]!r}?" if close else message


def _json_node(data: Any) -> Any:
    return JsonParseNodeFactory().get_root_parse_node(_CONTENT_TYPE, json.dumps(data).encode())


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if _IDENTIFIER_RE.match(name) else f"{path}[{json.dumps(name)}]"


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _describe(value: Any) -> str:
    text = json.dumps(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{_json_kind(value)} {text}"


def _succeeds(parse: Callable[[str], object]) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return parse(value) is not None
        except (ValueError, TypeError, OverflowError):
            return False

    return check


def _base64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from exc


def _datetime(value: str) -> dt.datetime | None:
    return datetime_from_iso_format_compat(value) if len(value) >= 10 else None


_PRIMITIVE_CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "get_str_value": ("a string", lambda v: isinstance(v, str)),
    "get_bool_value": ("a boolean", lambda v: isinstance(v, bool)),
    "get_int_value": ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "get_float_value": (
        "a number",
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    ),
    "get_uuid_value": ("a UUID string", lambda v: isinstance(v, str) and bool(_UUID_RE.match(v))),
    "get_datetime_value": ("an ISO 8601 date-time string", _succeeds(_datetime)),
    "get_date_value": ("an ISO 8601 date string (YYYY-MM-DD)", _succeeds(dt.date.fromisoformat)),
    "get_time_value": ("an ISO 8601 time string", _succeeds(time_from_iso_format_compat)),
    "get_timedelta_value": ("an ISO 8601 duration string", _succeeds(parse_timedelta_string)),
    "get_bytes_value": ("a base64 string", _succeeds(_base64)),
}

_PRIMITIVE_GETTERS: dict[Any, str] = {
    str: "get_str_value",
    bool: "get_bool_value",
    int: "get_int_value",
    float: "get_float_value",
    UUID: "get_uuid_value",
    dt.datetime: "get_datetime_value",
    dt.date: "get_date_value",
    dt.time: "get_time_value",
    dt.timedelta: "get_timedelta_value",
    bytes: "get_bytes_value",
}
