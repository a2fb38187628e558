"""The `schoolmdm` command line: parses arguments and calls one function per command."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from compiler import __version__
from compiler.report import FORMATS
from compiler.root import find_root
from compiler.schemas import KINDS

F = TypeVar("F", bound=Callable[..., Any])

ROOT_HELP = "The estate's folder (holds schoolmdm.yaml). Default: the nearest such folder upwards from here."


def _root(root: Path | None) -> Path:
    if root is not None:
        if not (root / "schoolmdm.yaml").is_file():
            raise click.UsageError(f"{root} holds no schoolmdm.yaml; is it the estate's folder?")
        return root.resolve()
    found = find_root(Path.cwd())
    if found is None:
        raise click.UsageError(
            "no schoolmdm.yaml here or in any folder above; cd into the estate or pass --root"
        )
    return found


def pem_option(name: str, env: str, text: str) -> Callable[[F], F]:
    """A PEM option: a file name or the PEM text itself, also from an environment variable (CI
    secret stores). Plain text on purpose: click.Path(exists=True) would echo the value, the
    whole private key, in its error; compiler.signing reads it and never shows it."""
    return click.option(
        name,
        metavar="PEM",
        envvar=env,
        show_envvar=False,
        help=f"{text}: a PEM file, or the PEM text itself (or {env}).",
    )


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Findings as text for people, json for tools, github for pull-request annotations.",
)
root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), help=ROOT_HELP
)


class _Commands(click.Group):
    """Names a close command for a misspelt one, whatever click's version does."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from compiler.suggest import did_you_mean

            hint = did_you_mean(name, self.list_commands(ctx))
            ctx.fail(
                f"No such command '{name}'." + (f" {hint[:1].upper()}{hint[1:]}" if hint else "")
            )
        return super().resolve_command(ctx, args)


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="schoolmdm")
def cli() -> None:
    """schoolmdm compiles a school estate kept in git (schools, apps, profiles) into
    Apple configuration profiles and Microsoft Intune policies.

    \b
    Typical use:
      schoolmdm validate            check everything, show findings with file:line
      schoolmdm build               write build/ (after validating)
      schoolmdm deploy --target intune --dry-run    what a deploy would change in Intune
      schoolmdm new-school gs-west --platform windows --type grundschule
    """


@cli.command()
@root_option
@format_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def validate(root: Path | None, fmt: str, paths: tuple[Path, ...]) -> None:
    """Check the estate against the schemas and the rules across files.

    The whole estate is always checked (duplicates span schools); with PATHs only findings in
    those files or folders are shown. Exit code: 0 no findings, 1 findings, 2 usage error.

    \b
    Examples:
      schoolmdm validate
      schoolmdm validate schools/gym-lindenhof
      schoolmdm validate --format github     (in CI: inline annotations)
    """
    from compiler.commands import validate as command

    sys.exit(command.run(_root(root), fmt, paths))


@cli.command("build")
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write. Default: build/ in the estate.",
)
@click.option(
    "--school", "schools", multiple=True, metavar="ID", help="Build only this school (repeatable)."
)
@click.option(
    "--plist",
    "plist_format",
    type=click.Choice(["xml", "binary"]),
    default="xml",
    show_default=True,
    help="Property list format of .mobileconfig files.",
)
@pem_option("--sign-cert", "SCHOOLMDM_SIGN_CERT", "PEM certificate to sign profiles with")
@pem_option("--sign-key", "SCHOOLMDM_SIGN_KEY", "PEM private key of the signing certificate")
@pem_option("--sign-chain", "SCHOOLMDM_SIGN_CHAIN", "PEM intermediate certificates to include")
@click.option(
    "--sign-key-password-env",
    metavar="NAME",
    help="The environment variable that holds the signing key's passphrase, if the key is "
    "encrypted. Default: SCHOOLMDM_SIGN_KEY_PASSWORD.",
)
@format_option
def build_cmd(
    root: Path | None,
    out: Path | None,
    schools: tuple[str, ...],
    plist_format: str,
    sign_cert: str | None,
    sign_key: str | None,
    sign_chain: str | None,
    sign_key_password_env: str | None,
    fmt: str,
) -> None:
    """Validate the estate, then write every artifact to build/ with build/manifest.json.

    Nothing is written if there is any finding; the previous build/ stays as it was until the
    new one is complete. The same inputs always give byte-identical files; schools whose inputs
    did not change since the previous build in --out are taken from it. --out must be empty,
    absent or a previous build (it is replaced whole).

    \b
    Examples:
      schoolmdm build
      schoolmdm build --school gym-lindenhof --plist binary
      schoolmdm build --sign-cert signer.pem --sign-key signer.key
      SCHOOLMDM_SIGN_KEY="$KEY_PEM" schoolmdm build --sign-cert signer.pem
    """
    from compiler.commands import build as command

    estate_root = _root(root)
    signer = None
    if sign_cert or sign_key:
        # cryptography only when signing
        from compiler.signing import PASSWORD_ENV, SigningError, load_signer

        if not (sign_cert and sign_key):
            raise click.UsageError("signing needs both --sign-cert and --sign-key")
        password_env = sign_key_password_env or PASSWORD_ENV
        if sign_key_password_env and sign_key_password_env not in os.environ:
            raise click.UsageError(f"--sign-key-password-env: {sign_key_password_env} is not set")
        password = os.environ.get(password_env)
        try:
            signer = load_signer(
                sign_cert, sign_key, sign_chain, password.encode() if password else None
            )
        except SigningError as exc:
            raise click.UsageError(str(exc)) from None
    target = out if out is not None else estate_root / "build"
    sys.exit(command.run(estate_root, target, schools, plist_format == "binary", signer, fmt))


@cli.command("plan")
@root_option
@click.option(
    "--base",
    required=True,
    metavar="REV",
    help="The revision to compare against (branch, tag, commit), e.g. origin/main.",
)
@click.option(
    "--head",
    metavar="REV",
    help="The revision with the change. Default: the files as they are now (the working tree).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for people, markdown for a pull-request comment, json for tools.",
)
@click.option(
    "--detailed-exitcode",
    "detailed",
    is_flag=True,
    help="Exit 0 when nothing changes, 3 when something does (1 error, 2 usage error).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=10_000),
    metavar="BYTES",
    help="Markdown only: cut the output to this size, with a pointer to the full plan.",
)
@click.option("--link", metavar="URL", help="Where the full plan is (named where output is cut).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write plan.json, plan.txt, plan.md, comment.md (cut for a pull-request comment) and summary.md (cut for a job summary) into this folder.",
)
def plan_cmd(
    root: Path | None,
    base: str,
    head: str | None,
    fmt: str,
    detailed: bool,
    limit: int | None,
    link: str | None,
    out: Path | None,
) -> None:
    """Show what a change does: build both revisions and compare what they build, per school.

    Both revisions are read from git (no checkout); only schools whose files (or the shared
    profiles, templates and catalogue entries they use) differ are built. Each changed setting
    is shown old -> new with the profile parameter it came from; Apple profiles are decoded
    wherever they are wrapped; secrets appear by name only. Estate-wide and locked changes come
    first. If the compiler itself differs between the revisions, the base is built with its own
    compiler. Findings in the head stop the plan (exit 1); findings in the base are shown.

    Exit code: 0 (with --detailed-exitcode: 0 no changes, 3 changes), 1 findings or error,
    2 usage error.

    \b
    Examples:
      schoolmdm plan --base origin/main
      schoolmdm plan --base main --head my-branch --format markdown
      schoolmdm plan --base HEAD~1 --format json --detailed-exitcode
    """
    from compiler.commands import plan as command

    sys.exit(command.run(_root(root), base, head, fmt, detailed, limit, link, out))


@cli.command("check-paths")
@root_option
@click.option(
    "--base",
    required=True,
    metavar="REV",
    help="The revision the change is compared with; its CODEOWNERS is used.",
)
@click.option(
    "--head", metavar="REV", help="The revision with the change. Default: the working tree."
)
@click.option(
    "--owner",
    "owners",
    required=True,
    multiple=True,
    metavar="@ORG/TEAM",
    help="The owner every changed file must belong to (repeatable: any of them).",
)
@format_option
def check_paths_cmd(
    root: Path | None, base: str, head: str | None, owners: tuple[str, ...], fmt: str
) -> None:
    """List changed files that CODEOWNERS does not give to an owner (exit 1 if any).

    For repositories without branch protection: run it in CI for a school's pull request with
    the school's team as --owner. CODEOWNERS is read from the base revision, with GitHub's
    rules (the last matching pattern wins). Exit code: 0 all files belong to the owner,
    1 some do not, 2 usage error.

    \b
    Example:
      schoolmdm check-paths --base origin/main --owner @musterkreis-schul-it/gym-lindenhof
    """
    from compiler.commands import check_paths as command

    sys.exit(command.run(_root(root), base, head, owners, fmt))


def _deploy_options(func: F) -> F:
    options = [
        click.option(
            "--target",
            type=click.Choice(["intune", "jamf", "directory"]),
            required=True,
            help="The MDM: intune (Microsoft Intune through Microsoft Graph), jamf (Jamf Pro "
            "through its Classic API; the estate needs mdm.apple: jamf), or directory (deploy: "
            "the files with secrets filled in and signed, into --out, for MDMs that import "
            "files and Apple Configurator).",
        ),
        click.option(
            "--build",
            "build_dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="The build folder (made by `schoolmdm build`). Default: build/ in the estate.",
        ),
        click.option(
            "--school",
            "schools",
            multiple=True,
            metavar="ID",
            help="Only this school's objects, and its assignments of estate-wide apps (repeatable).",
        ),
        click.option(
            "--graph-url",
            default="https://graph.microsoft.com",
            show_default=True,
            help="The Microsoft Graph endpoint (another cloud, or a test server).",
        ),
        click.option(
            "--out",
            "out_dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="With --target directory: the folder to write (owner-only; outside the estate).",
        ),
        click.option(
            "--jamf-url",
            envvar="SCHOOLMDM_JAMF_URL",
            show_envvar=True,
            metavar="URL",
            help="With --target jamf: the Jamf Pro server, e.g. https://schulen.jamfcloud.com.",
        ),
        click.option(
            "--report",
            "report_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write every operation (key, action, status, request id) to this JSON file.",
        ),
        pem_option(
            "--sign-cert",
            "SCHOOLMDM_SIGN_CERT",
            "PEM certificate to sign iPad profiles with after filling in secrets",
        ),
        pem_option(
            "--sign-key", "SCHOOLMDM_SIGN_KEY", "PEM private key of the signing certificate"
        ),
        pem_option(
            "--sign-chain", "SCHOOLMDM_SIGN_CHAIN", "PEM intermediate certificates to include"
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _deploy_args(
    mode: str,
    target: str,
    build_dir: Path | None,
    schools: tuple[str, ...],
    graph_url: str,
    out_dir: Path | None,
    jamf_url: str | None,
    report_path: Path | None,
    sign_cert: Path | None,
    sign_key: Path | None,
    sign_chain: Path | None,
    dry_run: bool = True,
    prune: bool = False,
    max_deletions: int = 5,
) -> Any:
    from compiler.commands.deploy import default_build
    from compiler.deploy.run import RunArgs

    if not graph_url.startswith(("https://", "http://")):
        raise click.BadParameter("must be an http(s) URL", param_hint="--graph-url")
    if target == "jamf" and not jamf_url:
        raise click.UsageError("--target jamf needs --jamf-url (or SCHOOLMDM_JAMF_URL)")
    if (target == "directory") != (out_dir is not None):
        raise click.UsageError("--out goes with --target directory, and only with it")
    if target == "directory" and mode == "drift":
        raise click.UsageError("drift compares with an MDM: --target intune or jamf")
    if jamf_url and not jamf_url.startswith(("https://", "http://")):
        raise click.BadParameter("must be an http(s) URL", param_hint="--jamf-url")
    signer = None
    if sign_cert or sign_key:
        from compiler.signing import SigningError, load_signer

        if not (sign_cert and sign_key):
            raise click.UsageError("signing needs both --sign-cert and --sign-key")
        try:
            signer = load_signer(sign_cert, sign_key, sign_chain)
        except SigningError as exc:
            raise click.UsageError(str(exc)) from None
    if build_dir is None:
        root = find_root(Path.cwd())
        build_dir = default_build(root)
    return RunArgs(
        build_dir,
        mode,
        dry_run,
        prune,
        max_deletions,
        schools,
        report_path,
        graph_url.rstrip("/"),
        signer,
        target,
        (jamf_url or "").rstrip("/"),
        out_dir,
    )


@cli.command()
@_deploy_options
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read the MDM and print what would change; send no write request at all.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="Delete managed objects (ours, by marker) that are no longer in the build, for the schools the build covers.",
)
@click.option(
    "--max-deletions",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="With --prune: stop before any change when more objects than this would be deleted.",
)
def deploy(
    target: str,
    build_dir: Path | None,
    schools: tuple[str, ...],
    graph_url: str,
    out_dir: Path | None,
    jamf_url: str | None,
    report_path: Path | None,
    sign_cert: Path | None,
    sign_key: Path | None,
    sign_chain: Path | None,
    dry_run: bool,
    prune: bool,
    max_deletions: int,
) -> None:
    """Make the MDM hold exactly the managed objects of a build: create, update, assign, import
    Autopilot devices; delete (with --prune) what the build no longer has.

    Only objects carrying the deployer's marker are ever changed or deleted; a re-run after any
    failure converges, and a run with nothing to do writes nothing. Credentials come from the
    environment: for Intune SCHOOLMDM_GRAPH_TOKEN, or AZURE_TENANT_ID + AZURE_CLIENT_ID with
    AZURE_CLIENT_SECRET or GitHub Actions' OIDC token; for Jamf Pro JAMF_CLIENT_ID +
    JAMF_CLIENT_SECRET (an API client), or SCHOOLMDM_JAMF_TOKEN. Secret values come from
    environment variables named like the secret, with SCHOOLMDM_DEPLOY_KEY. See docs/deploy.md.
    Exit code: 0 done, 1 an operation failed (or the run was stopped), 2 usage error.

    \b
    Examples:
      schoolmdm deploy --target intune --dry-run
      schoolmdm deploy --target intune --report deploy.json
      schoolmdm deploy --target intune --school gym-lindenhof
      schoolmdm deploy --target intune --prune --max-deletions 20
      schoolmdm deploy --target jamf --jamf-url https://schulen.jamfcloud.com --dry-run
      schoolmdm deploy --target directory --out ~/export --sign-cert signer.pem --sign-key signer.key
    """
    from compiler.commands.deploy import execute

    sys.exit(
        execute(
            _deploy_args(
                "deploy",
                target,
                build_dir,
                schools,
                graph_url,
                out_dir,
                jamf_url,
                report_path,
                sign_cert,
                sign_key,
                sign_chain,
                dry_run,
                prune,
                max_deletions,
            )
        )
    )


@cli.command()
@_deploy_options
def drift(
    target: str,
    build_dir: Path | None,
    schools: tuple[str, ...],
    graph_url: str,
    out_dir: Path | None,
    jamf_url: str | None,
    report_path: Path | None,
    sign_cert: Path | None,
    sign_key: Path | None,
    sign_chain: Path | None,
) -> None:
    """Show what differs between a build and the MDM: managed objects changed by hand, missing,
    or no longer in git, each with what differs. Changes nothing; the next deploy restores them.
    Exit code: 0 no drift, 1 drift (or the check failed), 2 usage error.

    \b
    Examples:
      schoolmdm drift --target intune
      schoolmdm drift --target intune --school gym-lindenhof --report drift.json
      schoolmdm drift --target jamf --jamf-url https://schulen.jamfcloud.com
    """
    from compiler.commands import drift as command

    sys.exit(
        command.run(
            _deploy_args(
                "drift",
                target,
                build_dir,
                schools,
                graph_url,
                out_dir,
                jamf_url,
                report_path,
                sign_cert,
                sign_key,
                sign_chain,
            )
        )
    )


@cli.command("new-school")
@root_option
@click.argument("school_id", metavar="ID")
@click.option(
    "--platform",
    type=click.Choice(["apple", "windows"]),
    required=True,
    help="The devices the school chose.",
)
@click.option(
    "--type",
    "school_type",
    required=True,
    type=click.Choice(
        [
            "gymnasium",
            "gemeinschaftsschule",
            "realschule",
            "gesamtschule",
            "grundschule",
            "berufsbildungszentrum",
            "foerderschule",
        ]
    ),
    help="The kind of school.",
)
@click.option("--name", help="The school's full name (default: the id).")
@click.option(
    "--maintainer", help="GitHub user or team that owns the folder, e.g. @my-org/gs-west."
)
def new_school(
    root: Path | None,
    school_id: str,
    platform: str,
    school_type: str,
    name: str | None,
    maintainer: str | None,
) -> None:
    """Create schools/ID/ with a school.yaml and an empty devices.csv that validate.

    \b
    Example:
      schoolmdm new-school gs-west --platform windows --type grundschule --name "Grundschule West"
    """
    from compiler.commands import new_school as command

    sys.exit(command.run(_root(root), school_id, platform, school_type, name, maintainer))


@cli.command()
@root_option
@click.option(
    "--check", is_flag=True, help="Only check that the files are up to date (exit 1 if not)."
)
def generate(root: Path | None, check: bool) -> None:
    """Write the files generated from the estate: .github/CODEOWNERS (from each school's
    maintainers; shared folders belong to the reviewers) and schemas/school.estate.schema.json
    (the school schema with this estate's profiles, apps and secrets, for editor completion).

    validate reports a generated file that no longer matches the estate.

    \b
    Examples:
      schoolmdm generate
      schoolmdm generate --check
    """
    from compiler.commands import generate as command

    sys.exit(command.run(_root(root), check))


@cli.command()
@root_option
@click.option(
    "--check", is_flag=True, help="Only check that the file is up to date (exit 1 if not)."
)
def codeowners(root: Path | None, check: bool) -> None:
    """Write .github/CODEOWNERS only (see generate).

    \b
    Example:
      schoolmdm codeowners --check
    """
    from compiler.codeowners import PATH
    from compiler.commands import generate as command

    sys.exit(command.run(_root(root), check, (PATH,)))


@cli.command()
@click.argument("kind", required=False, type=click.Choice(KINDS))
def schema(kind: str | None) -> None:
    """Print the JSON Schema of a file kind (without KIND: list the kinds).

    \b
    Example:
      schoolmdm schema school > school.schema.json
    """
    from compiler.commands import schema as command

    sys.exit(command.run(kind))


def main() -> None:
    cli(prog_name="schoolmdm")
