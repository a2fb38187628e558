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
from compiler.model import Estate
from compiler.resolve import SchoolConfig


@cache
def code_digest() -> str:
    """The compiler's own source: a change of code invalidates every cached render."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def school_inputs(estate: Estate, cfg: SchoolConfig, binary_plist: bool) -> str:
    platform = cfg.school.platform
    templates = {
        path: estate.templates[path].data
        for applied in cfg.profiles
        if (path := applied.profile.templates.get(platform)) is not None
    }
    data: dict[str, Any] = {
        "code": code_digest(),
        "settings": dataclasses.asdict(estate.settings),
        "school": dataclasses.asdict(cfg.school),
        "profiles": [
            {"profile": dataclasses.asdict(a.profile), "values": a.values} for a in cfg.profiles
        ],
        "templates": templates,
        "apps": [
            {"app": dataclasses.asdict(r.app), "install": r.install, "config": r.config}
            for r in cfg.apps
        ],
        "devices": [list(d) for d in cfg.devices],
        "binary_plist": binary_plist,
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
