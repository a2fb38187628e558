"""Platform rules: an Apple template needs no more than the estate's iPads offer."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.model import Estate
from compiler.rules_common import at as _at


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def check_template_requirements(estate: Estate) -> Iterator[Diagnostic]:
    """An Apple template that needs more than the estate's iPads offer (newer iPadOS, or
    supervision) cannot be used by any school: say so at the profile, once."""
    used = {
        p.id
        for s in estate.schools.values()
        if s.platform == "apple"
        for p in estate.profiles.values()
        if p.applies_to(s) and (p.id in s.profiles or p.mode == "always")
    }
    settings = estate.settings
    for profile_id in sorted(used):
        profile = estate.profiles[profile_id]
        template = estate.templates.get(profile.templates.get("apple", ""))
        needs = (
            template.data.get("requires") if template and isinstance(template.data, dict) else None
        )
        if not isinstance(needs, dict):
            continue
        doc = estate.documents[profile.path]
        if (needs.get("supervised") or profile.removal_disallowed) and not settings.supervised:
            yield _at(
                doc,
                ("templates", "apple"),
                "template-requirement",
                f"the profile '{profile_id}' needs supervised iPads, but schoolmdm.yaml says apple.supervised: false",
                "supervise the iPads (Automated Device Enrollment) or stop using this profile",
            )
        wanted = str(needs.get("ipados", "0"))
        if _version(wanted) > _version(settings.ipados):
            yield _at(
                doc,
                ("templates", "apple"),
                "template-requirement",
                f"the profile '{profile_id}' needs iPadOS {wanted}, but schoolmdm.yaml says the oldest iPads run {settings.ipados}",
                "update the iPads and raise apple.ipados, or stop using this profile",
            )
