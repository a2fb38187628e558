"""Apple schools served by Intune: each configuration profile as an iosCustomConfiguration, a
device group per school, and App Store (VPP) app assignments by bundle id.

VPP apps arrive in Intune through the licence token sync: the deployer looks them up by
bundleId and only assigns them; it never creates them.
"""

from __future__ import annotations

import base64

from compiler.artifact import ESTATE, Artifact
from compiler.model import Estate
from compiler.render.graph import graph_artifact, group_assign, with_marker
from compiler.render.graph_checks import problems
from compiler.render.windows import app_selections, display_name, group_artifact, group_key
from compiler.resolve import SchoolConfig
from compiler.templating import TemplateFailure

# apps are licensed to the device (no Apple Account needed on shared school iPads)
DEVICE_LICENSING = {
    "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
    "useDeviceLicensing": True,
}


def enrollment_rule(estate: Estate, school_id: str) -> str:
    """iPads join their school's group through the school's enrollment profile name."""
    return f'(device.enrollmentProfileName -eq "{estate.settings.naming_group.format(school=school_id, school_name=school_id, platform="apple")}")'


def render_school(estate: Estate, cfg: SchoolConfig, profiles: list[Artifact]) -> list[Artifact]:
    """`profiles` are the school's rendered .mobileconfig artifacts (signed or not)."""
    s = cfg.school
    out = [group_artifact(estate, cfg, enrollment_rule(estate, s.id))]
    by_id = {a.profile.id: a for a in cfg.profiles}
    for art in profiles:
        applied = by_id[art.name]
        key = f"{s.id}/apple/intune-profile/{art.name}"
        body = with_marker(
            {
                "@odata.type": "#microsoft.graph.iosCustomConfiguration",
                "displayName": display_name(estate, cfg, art.name, applied.profile.name),
                "payloadName": f"{applied.profile.name} ({s.name})",
                "payloadFileName": f"{art.name}.mobileconfig",
                "payload": base64.b64encode(art.content).decode("ascii"),
            },
            key,
            applied.profile.description,
        )
        found = problems("deviceManagement/deviceConfigurations", body)
        if found:
            raise TemplateFailure(applied.profile.path, 1, 1, "; ".join(found))
        out.append(
            graph_artifact(
                path=f"schools/{s.id}/apple/intune/{art.name}.json",
                school=s.id,
                platform="apple",
                kind="intune-profile",
                name=art.name,
                collection="deviceManagement/deviceConfigurations",
                api="v1.0",
                body=body,
                assign=group_assign("assignments", [(group_key(s.id, "apple"), "apply")]),
                sources=art.sources,
                secrets=art.secrets,
            )
        )
    return out


def estate_vpp_apps(estate: Estate, configs: list[SchoolConfig]) -> list[Artifact]:
    chosen, sources = app_selections(configs, "apple")
    out = []
    for app_id in sorted(chosen):
        app = estate.apps[app_id]
        assert app.apple is not None
        out.append(
            graph_artifact(
                path=f"estate/apple/apps/{app_id}.json",
                school=ESTATE,
                platform="apple",
                kind="vpp-app",
                name=app_id,
                collection="deviceAppManagement/mobileApps",
                api="v1.0",
                body={
                    "@odata.type": "#microsoft.graph.iosVppApp",
                    "bundleId": app.apple["bundle_id"],
                },
                assign=group_assign(
                    "mobileAppAssignments",
                    sorted(chosen[app_id]),
                    app=True,
                    settings=DEVICE_LICENSING,
                ),
                sources=(app.path, *sorted(sources[app_id])),
                extra={
                    "lookup": {
                        "filter": f"bundleId eq '{app.apple['bundle_id']}'",
                        "odataType": "#microsoft.graph.iosVppApp",
                        # with several licence tokens: the one the estate names
                        **(
                            {"vppToken": estate.settings.vpp_token}
                            if estate.settings.vpp_token
                            else {}
                        ),
                    }
                },
            )
        )
    return out
