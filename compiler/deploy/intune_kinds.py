"""Intune's object kinds as data: one descriptor per collection (where it lives, which Intune
service throttles it, how it is read and updated). The ownership marker is in `description`."""

from __future__ import annotations

from dataclasses import dataclass

from compiler.deploy.pacing import INTUNE, Limit


@dataclass(frozen=True)
class Kind:
    collection: str
    service: str  # the Intune service whose throttling limits apply
    read_api: str = "beta"  # beta reads every type, including beta-only ones
    select: tuple[str, ...] = ()  # only for collections of one type ($select cannot name
    #                               properties of derived types)
    expand: tuple[str, ...] = ("assignments",)
    update: str = "PATCH"
    top: int | None = None
    marker: str = "description"


KINDS = {
    k.collection: k
    for k in (
        Kind(
            "groups",
            "directory",
            read_api="v1.0",
            select=(
                "id",
                "displayName",
                "description",
                "groupTypes",
                "mailEnabled",
                "mailNickname",
                "securityEnabled",
                "membershipRule",
                "membershipRuleProcessingState",
                "createdDateTime",
            ),
            expand=(),
            top=999,
        ),
        Kind("deviceManagement/deviceConfigurations", "deviceConfiguration"),
        Kind(
            "deviceManagement/configurationPolicies",
            "deviceConfigV2",
            expand=("assignments", "settings"),
            update="PUT",
        ),
        Kind("deviceAppManagement/mobileApps", "applications"),
        Kind("deviceAppManagement/mobileAppConfigurations", "applications"),
    )
}
SERVICES = {
    **{k.collection: k.service for k in KINDS.values()},
    "deviceManagement/importedWindowsAutopilotDeviceIdentities": "enrollment",
    "deviceManagement/windowsAutopilotDeviceIdentities": "enrollment",
}
# documented per app and tenant (https://learn.microsoft.com/graph/throttling-limits); groups are
# Entra ID objects: 3,000 writes per 150 s for an app and tenant
LIMITS = {
    "deviceConfiguration": INTUNE,
    "deviceConfigV2": INTUNE,
    "applications": INTUNE,
    "enrollment": INTUNE,
    "directory": Limit(writes=3000, requests=35_000, window=150.0),
}
ASSIGNMENT_SERVER_FIELDS = ("id", "source", "sourceId", "@odata.context")
VPP_TOKEN_FIELDS = (
    "vppTokenAppleId",
    "vppTokenOrganizationName",
    "vppTokenId",
    "vppTokenDisplayName",
)
