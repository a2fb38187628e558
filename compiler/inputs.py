"""What a school's artifacts depend on, as one hash: the key of the render cache.

render_school is a pure function of the estate settings, the school's effective configuration
(profiles with their parameters and templates, apps, devices), the build options and the
compiler's own code. Equal hashes mean equal artifacts, so a rebuild reuses them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from compiler import __version__
from compiler.model import App, Estate, Profile
from compiler.resolve import SchoolConfig


@cache
def code_digest() -> str:
    """The compiler's own source: a change of code invalidates every cached render."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class InputHasher:
    """Hashes schools' inputs for one build; shared parts (settings, profiles with their
    templates, apps) are digested once, not once per school."""

    def __init__(self, estate: Estate, binary_plist: bool) -> None:
        self.estate = estate
        self.base = _digest([code_digest(), dataclasses.asdict(estate.settings), binary_plist])
        self._profiles: dict[tuple[str, str], str] = {}
        self._apps: dict[str, str] = {}

    def _profile(self, profile: Profile, platform: str) -> str:
        key = (profile.id, platform)
        if key not in self._profiles:
            path = profile.templates.get(platform)
            template = self.estate.templates[path].data if path else None
            self._profiles[key] = _digest([dataclasses.asdict(profile), template])
        return self._profiles[key]

    def _app(self, app: App) -> str:
        if app.id not in self._apps:
            self._apps[app.id] = _digest(dataclasses.asdict(app))
        return self._apps[app.id]

    def school(self, cfg: SchoolConfig) -> str:
        platform = cfg.school.platform
        return _digest(
            [
                self.base,
                dataclasses.asdict(cfg.school),
                [[self._profile(a.profile, platform), a.values] for a in cfg.profiles],
                [[self._app(r.app), r.install, r.config] for r in cfg.apps],
                cfg.devices,  # NamedTuples encode as lists
            ]
        )
