"""Apple: one configuration profile per applied profile, plus the school's app assignments."""

from __future__ import annotations

import base64
import hashlib
import json
import plistlib
import uuid
from datetime import datetime
from typing import Any

from compiler import plaintext
from compiler.artifact import Artifact, canonical_json
from compiler.model import Estate
from compiler.params import secrets_in
from compiler.paths import segment_problem
from compiler.render.context import empty_profile, template_context
from compiler.resolve import AppliedProfile, SchoolConfig
from compiler.templating import Engine, TemplateFailure

# a fixed namespace: PayloadUUIDs depend only on identifiers and content, never on time or host
NAMESPACE = uuid.UUID("6f1c3f0e-8d7a-5b2e-9c4d-3a1b2c3d4e5f")
PLIST_TYPES = (str, int, float, bool, bytes, datetime)


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$data": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def content_hash(value: Any) -> str:
    data = json.dumps(_jsonable(value), sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def payload_uuid(identifier: str, content: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{identifier}\n{content_hash(content)}")).upper()


def _plist_problem(value: Any, where: str) -> str:
    """The first value a property list cannot hold, or ''."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"{where}: key {k!r} is not text"
            if plaintext.text_problem(k):
                return f"{where}: a key: {plaintext.text_problem(k)}"
            found = _plist_problem(v, f"{where}.{k}")
            if found:
                return found
        return ""
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = _plist_problem(v, f"{where}[{i}]")
            if found:
                return found
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return f"{where}: {value} does not fit a plist integer"
    text = plaintext.value_problem(value)
    if text:
        return f"{where}: {text}"
    return (
        ""
        if isinstance(value, PLIST_TYPES)
        else f"{where}: a {type(value).__name__} cannot be stored in a profile"
    )


def render_profile(
    estate: Estate, cfg: SchoolConfig, applied: AppliedProfile, engine: Engine
) -> dict[str, Any]:
    """The configuration profile (as a dict) of one applied profile for one school."""
    profile, school, settings = applied.profile, cfg.school, estate.settings
    doc = estate.templates[profile.templates["apple"]]
    rendered = engine.render(
        doc, doc.data["payloads"], template_context(estate, cfg, applied), ("payloads",)
    )
    if not rendered:
        raise empty_profile(estate, cfg, applied)
    base_id = f"{settings.payload_prefix}.{school.id}.{profile.id}"
    payloads = []
    seen: set[str] = set()
    for i, payload in enumerate(rendered):
        suffix = str(payload.pop("$id", i + 1))
        bad_id = segment_problem(suffix)
        if bad_id:  # it becomes part of the PayloadIdentifier
            line, col = doc.mark(("payloads",))
            raise TemplateFailure(doc.path, line, col, f"the payload's '$id': {bad_id}")
        identifier = f"{base_id}.{suffix}"
        if identifier in seen:
            line, col = doc.mark(("payloads",))
            raise TemplateFailure(
                doc.path,
                line,
                col,
                f"two payloads have the identifier '{identifier}'; give each a distinct '$id'",
            )
        seen.add(identifier)
        payload.setdefault("PayloadDisplayName", profile.name)
        payload.setdefault("PayloadDescription", profile.description)
        payload.update(
            PayloadIdentifier=identifier,
            PayloadVersion=1,
            PayloadOrganization=settings.organisation,
        )
        if "PayloadUUID" not in payload:  # a template sets it only where other payloads refer to it
            payload["PayloadUUID"] = payload_uuid(identifier, payload)
        problem = _plist_problem(payload, f"payload '{suffix}'")
        if problem:
            line, col = doc.mark(("payloads",))
            raise TemplateFailure(doc.path, line, col, problem)
        payloads.append(payload)
    top: dict[str, Any] = {
        "PayloadContent": payloads,
        "PayloadDescription": profile.description,
        "PayloadDisplayName": f"{profile.name} ({school.name})",
        "PayloadIdentifier": base_id,
        "PayloadOrganization": settings.organisation,
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
    }
    if profile.removal_disallowed:  # a supervised-only key: written only when it is meant
        top["PayloadRemovalDisallowed"] = True
    if profile.consent_text:
        top["ConsentText"] = {"default": profile.consent_text}
    top["PayloadUUID"] = payload_uuid(base_id, top)
    return top


def serialize(profile: dict[str, Any], binary: bool) -> bytes:
    """The property list; TextError (never plistlib's ValueError, never an ill-formed file)
    if any text in it is not fit for a property list."""
    plaintext.check_output(profile, "the configuration profile")
    fmt = plistlib.FMT_BINARY if binary else plistlib.FMT_XML
    return plistlib.dumps(profile, fmt=fmt, sort_keys=True)


def app_assignments(estate: Estate, cfg: SchoolConfig, engine: Engine) -> dict[str, Any]:
    """App Store apps for the school: device-based licensing, required or available."""
    ctx = template_context(estate, cfg, None)
    apps = []
    for r in cfg.apps:
        assert r.app.apple is not None  # validate ensured the app exists for apple
        entry: dict[str, Any] = {
            "id": r.app.id,
            "name": r.app.name,
            "adamId": r.app.apple["adam_id"],
            "bundleId": r.app.apple["bundle_id"],
            "licensing": "device",
            "install": r.install,
        }
        config = dict(r.app.apple.get("managed_config") or {})
        if config:
            doc = estate.documents[r.app.path]
            config = engine.render(doc, config, ctx, ("apple", "managed_config"))
        config.update(r.config)
        if config:
            entry["managedConfiguration"] = config
        apps.append(entry)
    apps.sort(key=lambda a: a["id"])
    return {"school": cfg.school.id, "apps": apps}


def render_school(
    estate: Estate, cfg: SchoolConfig, engine: Engine, binary: bool = False
) -> list[Artifact]:
    sid = cfg.school.id
    out = []
    ext = "mobileconfig"
    for applied in cfg.profiles:
        if "apple" not in applied.profile.templates:
            continue
        profile = render_profile(estate, cfg, applied, engine)
        secrets = secrets_in(profile)
        sources = (cfg.school.path, applied.profile.path, applied.profile.templates["apple"])
        out.append(
            Artifact(
                f"schools/{sid}/apple/{applied.profile.id}.{ext}",
                sid,
                "apple",
                "profile",
                applied.profile.id,
                serialize(profile, binary),
                sources,
                secrets,
            )
        )
    assignments = app_assignments(estate, cfg, engine)
    app_sources = (cfg.school.path, *sorted({r.app.path for r in cfg.apps}))
    out.append(
        Artifact(
            f"schools/{sid}/apple/apps.json",
            sid,
            "apple",
            "apps",
            "apps",
            canonical_json(assignments),
            app_sources,
        )
    )
    return out
