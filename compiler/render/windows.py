"""Windows (Intune): the school's device group, policies from templates, Autopilot lists, and
the estate-wide apps (one Graph object per app for the whole tenant)."""

from __future__ import annotations

import csv
import io
from typing import Any

from compiler.artifact import ESTATE, Artifact
from compiler.model import Estate
from compiler.params import secrets_in
from compiler.paths import segment_problem
from compiler.render.context import empty_profile, template_context
from compiler.render.graph import NAME_PROPERTY, graph_artifact, group_assign, with_marker
from compiler.render.graph_checks import problems
from compiler.resolve import SchoolConfig
from compiler.templating import Engine, TemplateFailure

AUTOPILOT_HEADER = ("Device Serial Number", "Windows Product ID", "Hardware Hash", "Group Tag")


def group_key(school_id: str, platform: str) -> str:
    return f"{school_id}/{platform}/group/devices"


def display_name(estate: Estate, cfg: SchoolConfig, profile_id: str, name: str) -> str:
    s = cfg.school
    return estate.settings.naming_object.format(
        school=s.id, school_name=s.name, profile=profile_id, name=name, platform=s.platform
    )


def group_artifact(estate: Estate, cfg: SchoolConfig, rule: str) -> Artifact:
    s = cfg.school
    key = group_key(s.id, s.platform)
    body = with_marker(
        {
            "displayName": estate.settings.naming_group.format(
                school=s.id, school_name=s.name, platform=s.platform
            ),
            "mailEnabled": False,
            "mailNickname": f"smdm-{s.id}-devices",
            "securityEnabled": True,
            "groupTypes": ["DynamicMembership"],
            "membershipRule": rule,
            "membershipRuleProcessingState": "On",
        },
        key,
        f"Devices of {s.name}",
    )
    return graph_artifact(
        path=f"schools/{s.id}/windows/group.json"
        if s.platform == "windows"
        else f"schools/{s.id}/apple/intune/group.json",
        school=s.id,
        platform=s.platform,
        kind="group",
        name="devices",
        collection="groups",
        api="v1.0",
        body=body,
        assign=None,
        sources=(s.path,),
    )


def autopilot_rule(school_id: str) -> str:
    return f'(device.devicePhysicalIds -any (_ -eq "[OrderID]:{school_id}"))'


def policies(estate: Estate, cfg: SchoolConfig, engine: Engine) -> list[Artifact]:
    s = cfg.school
    out = []
    wanted: list[tuple[str, int, int, str]] = []  # links to check once every object exists
    for applied in cfg.profiles:
        path = applied.profile.templates.get("windows")
        if path is None:
            continue
        doc = estate.templates[path]
        ctx = template_context(estate, cfg, applied)
        objects = engine.render(doc, doc.data["objects"], ctx, ("objects",))
        if not objects:
            raise empty_profile(estate, cfg, applied)
        seen: set[str] = set()
        for i, obj in enumerate(objects):
            line, col = doc.mark(("objects", i))
            missing = [k for k in ("$id", "collection", "api", "name", "body") if k not in obj]
            if missing or not isinstance(obj["body"], dict):
                # a value that rendered to nothing drops its key: say so, don't crash
                what = ", ".join(missing) or "body (not a mapping)"
                raise TemplateFailure(
                    doc.path, line, col, f"the object has no {what} after rendering"
                )
            bad_id = segment_problem(str(obj["$id"]))
            if bad_id:  # it names a file of build/ and a key the deployer matches by
                raise TemplateFailure(doc.path, line, col, f"the object's '$id': {bad_id}")
            name = f"{applied.profile.id}.{obj['$id']}"
            if name in seen:
                raise TemplateFailure(
                    doc.path,
                    line,
                    col,
                    f"two objects are named '{obj['$id']}'; give each a distinct '$id'",
                )
            seen.add(name)
            collection = obj["collection"]
            key = f"{s.id}/windows/policy/{name}"
            body = dict(obj["body"])
            body[NAME_PROPERTY.get(collection, "displayName")] = display_name(
                estate, cfg, applied.profile.id, str(obj["name"])
            )
            body = with_marker(body, key, applied.profile.description)
            found = problems(collection, body)
            if found:
                raise TemplateFailure(doc.path, line, col, "; ".join(found))
            links = {
                prop: [f"${{object:{s.id}/windows/policy/{ref}}}" for ref in refs]
                for prop, refs in sorted(obj.get("links", {}).items())
                if refs
            }
            wanted += [
                (doc.path, line, col, ref) for refs in obj.get("links", {}).values() for ref in refs
            ]
            out.append(
                graph_artifact(
                    path=f"schools/{s.id}/windows/{name}.json",
                    school=s.id,
                    platform="windows",
                    kind="policy",
                    name=name,
                    collection=collection,
                    api=obj["api"],
                    body=body,
                    assign=group_assign("assignments", [(group_key(s.id, "windows"), "apply")]),
                    sources=(s.path, applied.profile.path, path),
                    secrets=secrets_in(body),
                    extra={"links": links} if links else None,
                )
            )
    names = {a.name for a in out}
    for tpath, line, col, ref in wanted:
        if ref not in names:
            raise TemplateFailure(
                tpath, line, col, f"links name '{ref}', which is not an object of this school"
            )
    return out


def autopilot(cfg: SchoolConfig) -> list[Artifact]:
    s = cfg.school
    identities = []
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\r\n")  # the format Intune's upload expects
    writer.writerow(AUTOPILOT_HEADER)
    for d in cfg.devices:
        ident: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.importedWindowsAutopilotDeviceIdentity",
            "serialNumber": d.serial,
            "groupTag": s.id,
        }
        if d.hardware_hash:
            ident["hardwareIdentifier"] = d.hardware_hash
        if d.product_id:
            ident["productKey"] = d.product_id
        identities.append(ident)
        writer.writerow((d.serial, d.product_id, d.hardware_hash, s.id))
    src = (s.path, f"schools/{s.id}/devices.csv")
    import_body = {"importedWindowsAutopilotDeviceIdentities": identities}
    return [
        graph_artifact(
            path=f"schools/{s.id}/windows/autopilot.json",
            school=s.id,
            platform="windows",
            kind="autopilot",
            name="devices",
            collection="deviceManagement/importedWindowsAutopilotDeviceIdentities",
            api="v1.0",
            body=import_body,
            assign=None,
            sources=src,
            extra={
                "action": "import",
                "withoutHardwareHash": sum(1 for d in cfg.devices if not d.hardware_hash),
            },
        ),
        Artifact(
            f"schools/{s.id}/windows/autopilot.csv",
            s.id,
            "windows",
            "autopilot-csv",
            "devices",
            rows.getvalue().encode("utf-8"),
            src,
        ),
    ]


def render_school(estate: Estate, cfg: SchoolConfig, engine: Engine) -> list[Artifact]:
    return [
        group_artifact(estate, cfg, autopilot_rule(cfg.school.id)),
        *policies(estate, cfg, engine),
        *autopilot(cfg),
    ]


def app_selections(
    configs: list[SchoolConfig], platform: str
) -> tuple[dict[str, list[tuple[str, str]]], dict[str, set[str]]]:
    """Per app: (group key, intent) of every school of `platform` that selects it, and the
    school files that select it (an app object is tenant-wide, its assignment lists them all)."""
    chosen: dict[str, list[tuple[str, str]]] = {}
    sources: dict[str, set[str]] = {}
    for cfg in configs:
        if cfg.school.platform != platform:
            continue
        for r in cfg.apps:
            chosen.setdefault(r.app.id, []).append((group_key(cfg.school.id, platform), r.install))
            sources.setdefault(r.app.id, set()).add(cfg.school.path)
    return chosen, sources


def estate_apps(estate: Estate, configs: list[SchoolConfig]) -> list[Artifact]:
    """One winGetApp per catalogue app any windows school selects, assigned to every such school."""
    chosen, sources = app_selections(configs, "windows")
    out = []
    for app_id in sorted(chosen):
        app = estate.apps[app_id]
        assert app.windows is not None  # validate ensured it
        key = f"{ESTATE}/windows/app/{app_id}"
        body = with_marker(
            {
                "@odata.type": "#microsoft.graph.winGetApp",
                "displayName": app.name,
                "publisher": app.publisher,
                "packageIdentifier": app.windows["package_identifier"],
                "installExperience": {
                    "runAsAccount": app.windows.get("install_experience", "system")
                },
            },
            key,
            f"{app.name} from the Microsoft Store.",
        )
        out.append(
            graph_artifact(
                path=f"estate/windows/apps/{app_id}.json",
                school=ESTATE,
                platform="windows",
                kind="app",
                name=app_id,
                collection="deviceAppManagement/mobileApps",
                api="beta",
                body=body,
                assign=group_assign("mobileAppAssignments", sorted(chosen[app_id]), app=True),
                sources=(app.path, *sorted(sources[app_id])),
            )
        )
    return out
