"""Jamf Pro's object kinds as data: one descriptor per Classic API collection (its element
names, where the name and the ownership marker are, whether it has a scope), and the pace.

The marker `[schoolmdm:<key>#<hash>]` is at the end of `general/description` for profiles and
apps. Mobile device groups have no description in the Classic API, so theirs ends their name.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.deploy.pacing import Limit

SERVICE = "jamf"  # one pacing bucket: Jamf Pro limits by load, not per collection
# Jamf Pro publishes no request quota; its scalability guide asks for at most 5 concurrent
# connections. The deployer uses 4 and paces writes to 10 a second (each write to a scoped
# object makes Jamf recalculate scopes and queue commands for devices).
CONCURRENCY = 4
LIMITS = {SERVICE: Limit(writes=100, requests=600, window=10.0)}
BASE = "JSSResource"
DEVICES = "mobiledevices"  # iPads Jamf Pro knows: serial -> id, for static groups
VPP_ACCOUNTS = "vppaccounts"  # volume purchasing locations, for device licensing


@dataclass(frozen=True)
class Kind:
    collection: str
    element: str  # the element of one object (also of each item in a list answer)
    name: tuple[str, ...]  # where the name is (Jamf Pro names are unique per kind)
    marker: tuple[str, ...]  # where the ownership marker is
    scoped: bool  # has a scope: its `mobile_device_groups` are the object's assignments
    what: str  # for messages

    @property
    def marker_in_list(self) -> bool:
        """List answers carry ids and names only: a marker in the name is seen without
        reading each object."""
        return self.marker == self.name


KINDS = {
    k.collection: k
    for k in (
        Kind("mobiledevicegroups", "mobile_device_group", ("name",), ("name",), False, "group"),
        Kind(
            "mobiledeviceconfigurationprofiles",
            "configuration_profile",
            ("general", "name"),
            ("general", "description"),
            True,
            "configuration profile",
        ),
        Kind(
            "mobiledeviceapplications",
            "mobile_device_application",
            ("general", "name"),
            ("general", "description"),
            True,
            "app",
        ),
    )
}
# keys of a profile's payloads that Jamf Pro rewrites or adds on ingest (terraform-provider-
# jamfpro#539, #1164): never compared, and PayloadUUID/PayloadIdentifier of every update are
# the ones Jamf holds
JAMF_OWNED = frozenset(
    {
        "PayloadUUID",
        "PayloadIdentifier",
        "PayloadDisplayName",
        "PayloadDescription",
        "PayloadOrganization",
        "PayloadEnabled",
    }
)


def path(kind: Kind, oid: str | None = None) -> str:
    return f"{BASE}/{kind.collection}" + (f"/id/{oid}" if oid is not None else "")
