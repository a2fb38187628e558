"""Rules for a school's apps: they exist, fit the platform, and take only allowed configuration."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostic
from compiler.model import Estate
from compiler.rules_common import at as _at
from compiler.schema_check import error_to_diagnostics, schema_errors
from compiler.suggest import did_you_mean
from compiler.yamlload import Path_


def check_apps(estate: Estate) -> Iterator[Diagnostic]:
    for school in estate.schools.values():
        doc = estate.documents[school.path]
        seen: dict[str, int] = {}
        for choice in school.apps:
            path: Path_ = ("apps", choice.index)
            app = estate.apps.get(choice.app_id)
            if app is None and choice.app_id in estate.broken_apps:
                continue
            if choice.app_id in seen:
                yield _at(
                    doc,
                    path,
                    "duplicate-app",
                    f"the app '{choice.app_id}' is listed twice (also item {seen[choice.app_id] + 1})",
                )
            seen[choice.app_id] = choice.index
            if app is None:
                hint = did_you_mean(choice.app_id, estate.apps)
                yield _at(
                    doc,
                    path,
                    "unknown-app",
                    f"there is no app '{choice.app_id}' in the catalogue",
                    hint or "see catalog/apps for the apps there are",
                )
                continue
            platform_part = app.apple if school.platform == "apple" else app.windows
            if platform_part is None:
                yield _at(
                    doc,
                    path,
                    "app-platform",
                    f"the app '{app.id}' is not available for {school.platform}",
                    f"see {app.path}",
                )
                continue
            if choice.config:
                schema = platform_part.get("config_schema")
                if schema is None:
                    yield _at(
                        doc,
                        (*path, "config"),
                        "app-config",
                        f"the app '{app.id}' takes no managed configuration",
                        f"see {app.path}",
                    )
                else:
                    for error in schema_errors(schema, choice.config):
                        for diag in error_to_diagnostics(doc, error, (*path, "config")):
                            yield Diagnostic(
                                diag.path,
                                diag.line,
                                diag.col,
                                "app-config",
                                diag.message,
                                diag.hint,
                            )
