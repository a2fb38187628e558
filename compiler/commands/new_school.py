"""`schoolmdm new-school`: scaffold a school folder that validates as it is."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click

from compiler.generated import GENERATED
from compiler.inventory import write_devices
from compiler.schema_check import check
from compiler.schemas import schema
from compiler.yamlload import load_yaml

_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")

TEMPLATE = """\
# yaml-language-server: $schema=../../schemas/school.estate.schema.json
id: {id}
name: {name}
type: {type}
platform: {platform}
maintainers:
  - {maintainer}
# profiles: switch features on and give your values, e.g.
#   wifi:
#     ssid: MySchool
#     security: wpa2-personal
#     password: {{secret: WIFI_PSK_{secret}}}
profiles: {{}}
# apps: ids from catalog/apps, e.g. - geogebra-classic
apps: []
"""


def run(
    root: Path,
    school_id: str,
    platform: str,
    school_type: str,
    name: str | None,
    maintainer: str | None,
) -> int:
    if not _ID.match(school_id):
        raise click.BadParameter(
            "use 1-32 lowercase letters, digits and '-', not starting or ending with '-'",
            param_hint="ID",
        )
    folder = root / "schools" / school_id
    if (root / "schools").is_symlink():
        raise click.UsageError("schools/ is a symbolic link; links are never written through")
    if folder.exists() or folder.is_symlink():
        raise click.BadParameter(f"{folder} already exists", param_hint="ID")
    text = TEMPLATE.format(
        id=school_id,
        # JSON strings are valid YAML double-quoted scalars: any name survives exactly
        name=json.dumps(name or school_id, ensure_ascii=False),
        type=school_type,
        platform=platform,
        maintainer=json.dumps(maintainer or f"@your-org/{school_id}"),
        secret=school_id.upper().replace("-", "_"),
    )
    # the scaffold must validate as it is: check it before anything touches the disk
    doc, found = load_yaml(f"schools/{school_id}/school.yaml", text.encode("utf-8"), 1 << 20)
    if not found:
        found = check(doc, schema("school"))
    if found:
        problem = found[0]
        raise click.BadParameter(
            f"{problem.message}" + (f" ({problem.hint})" if problem.hint else "")
        )
    tmp = root / "schools" / f".{school_id}.tmp"
    if tmp.is_symlink() or tmp.is_file():
        tmp.unlink()
    elif tmp.is_dir():  # an earlier new-school was interrupted: its half-made folder goes
        shutil.rmtree(tmp)
    try:
        tmp.mkdir(parents=True)
        (tmp / "school.yaml").write_text(text, encoding="utf-8")
        (tmp / "devices.csv").write_text(write_devices([]), encoding="utf-8")
        tmp.rename(folder)  # the folder appears complete or not at all
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    click.echo(f"created {folder.relative_to(root)}/school.yaml and devices.csv")
    if any((root / g.path).is_file() for g in GENERATED):
        # CODEOWNERS names every school folder: keep it in step (the reviewers approve it)
        from compiler.commands import generate

        generate.run(root, check=False)
    click.echo("next: set 'maintainers', add profiles and apps, then run: schoolmdm validate")
    return 0
