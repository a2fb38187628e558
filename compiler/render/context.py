"""The variables and filters templates see when rendered for one school."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from compiler.model import Estate
from compiler.resolve import AppliedProfile, SchoolConfig
from compiler.templating import EmptyProfile


def template_context(
    estate: Estate, cfg: SchoolConfig, applied: AppliedProfile | None
) -> dict[str, Any]:
    s = cfg.school
    bundle_ids = {r.app.id: r.app.apple["bundle_id"] for r in cfg.apps if r.app.apple}
    ctx: dict[str, Any] = dict(applied.values) if applied else {}
    ctx.update(
        school={"id": s.id, "name": s.name, "type": s.type, "platform": s.platform},
        estate={
            "organisation": estate.settings.organisation,
            "payload_prefix": estate.settings.payload_prefix,
        },
        _bundle_ids=bundle_ids,
        devices=[d.serial for d in cfg.devices],
        # every applied profile's values, so one profile can use another's (the Wi-Fi's EAP
        # trust anchors are the certificates profile's CAs)
        profiles={a.profile.id: a.values for a in cfg.profiles},
    )
    if applied:
        ctx["profile"] = {"id": applied.profile.id, "name": applied.profile.name}
    return ctx


@pass_context
def bundle_id(ctx: Context, ref: str) -> str:
    """A catalogue app id becomes its bundle id; a bundle id (with a dot) stays as it is."""
    if "." in ref:
        return ref
    ids: dict[str, str] = ctx["_bundle_ids"]
    if ref not in ids:
        raise ValueError(f"'{ref}' is not an iPad app of this school")
    return ids[ref]


@pass_context
def icons(ctx: Context, refs: list[str]) -> list[dict[str, str]]:
    """Home screen icons for a list of app references."""
    return [{"Type": "App", "BundleID": bundle_id(ctx, r)} for r in refs]


@pass_context
def cert_uuid(ctx: Context, cert: dict[str, Any]) -> str:
    """The PayloadUUID of a certificate payload that other payloads of the same profile anchor
    to (EAP trust); derived from school, profile and certificate name, so both sides agree."""
    return stable_uuid(f"{ctx['school']['id']}.{ctx['profile']['id']}.cert.{cert['name']}")


# stable, so an identifier derived from a name never changes between builds
UUID_NAMESPACE = uuid.UUID("0b8e2c1a-7f3d-5e4b-8a9c-1d2e3f4a5b6c")


def stable_uuid(name: str) -> str:
    """A UUID derived from a name (uuid5): the same name always gives the same UUID."""
    return str(uuid.uuid5(UUID_NAMESPACE, name)).upper()


FILTERS: dict[str, Callable[..., Any]] = {
    "bundle_id": bundle_id,
    "icons": icons,
    "uuid": stable_uuid,
    "cert_uuid": cert_uuid,
    "prefix": lambda value, text: f"{text}{value}",
}


def empty_profile(estate: Estate, cfg: SchoolConfig, applied: AppliedProfile) -> EmptyProfile:
    doc = estate.documents[cfg.school.path]
    line, col = doc.mark(("profiles", applied.profile.id), key=True)
    platform = cfg.school.platform
    return EmptyProfile(
        doc.path,
        line,
        col,
        f"with these values the profile '{applied.profile.id}' puts nothing on {platform} devices",
    )
