"""The plan as GitHub Markdown: a summary table, estate-wide and locked changes, then one
collapsed `<details>` per school; capped to a size (a pull-request comment holds 65,536
characters, a job summary 1 MiB) with a pointer to the full plan.

Everything from the estate is either inside a code block (fenced longer than any backtick run
in it) or HTML-escaped, so a value can neither break the layout nor mention a person.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import partial

from compiler.plan.model import Plan, SchoolPlan
from compiler.plan.outline import Block, Line, school_block, totals
from compiler.plan.render_text import blocks, headline, side_name
from compiler.plan.values import visible
from compiler.report import format_text

MARKER = "<!-- schoolmdm-plan -->"  # how the workflow finds its one comment to update
COMMENT_LIMIT = 65_536  # characters of a GitHub comment
SUMMARY_LIMIT = 1_048_576  # bytes of a job summary
FULL_PLAN = "the full plan is in the `plan` artifact of this workflow run"


def esc(text: str) -> str:
    """Text safe in Markdown and HTML: no tags, no table breaks, no @mentions, no #links."""
    return (
        html.escape(visible(text), quote=True)
        .replace("|", "&#124;")
        .replace("@", "&#64;")
        .replace("#", "&#35;")
        .replace("`", "&#96;")
        .replace("*", "&#42;")
        .replace("_", "&#95;")
        .replace("[", "&#91;")
        .replace("\n", " ")
    )


def _fence(lines: list[str]) -> str:
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    return "`" * max(3, longest + 1)


def _diff_lines(line: Line) -> list[str]:
    return [visible(text) for text in _raw_lines(line)]


def _raw_lines(line: Line) -> list[str]:
    pad = " " * line.indent
    note = f"   # {line.note}" if line.note else ""
    if not line.op:
        return [f" {pad}{line.text}"]
    if line.op == "change" and (line.old or line.new):
        return [f"-{pad}{line.label}: {line.old}", f"+{pad}{line.label}: {line.new}{note}"]
    if line.op == "add":
        value = f": {line.new}" if line.new and line.new != "(none)" else ""
        return [f"+{pad}{line.label}{value}{note}"]
    if line.op == "remove":
        value = f": {line.old}" if line.old and line.old != "(none)" else ""
        return [f"-{pad}{line.label}{value}{note}"]
    return [f" {pad}{line.label}{note}"]


def code_block(lines: list[str], budget: int | None = None) -> str:
    """A ```diff block; with a budget, cut at a line boundary and say how much is left out."""
    if budget is not None:
        kept, used = [], 0
        for i, line in enumerate(lines):
            used += len(line.encode("utf-8")) + 1
            if used > budget:
                kept.append(f" … {len(lines) - i} more lines: {FULL_PLAN}")
                break
            kept.append(line)
        lines = kept
    fence = _fence(lines)
    return "\n".join([f"{fence}diff", *lines, fence])


def _block_lines(block: Block) -> list[str]:
    return [text for line in block.lines for text in _diff_lines(line)]


def _section(block: Block, budget: int | None = None) -> str:
    return f"#### {esc(block.title)}\n\n{code_block(_block_lines(block), budget)}\n"


def _details(sp: SchoolPlan, budget: int | None = None) -> str:
    block = school_block(sp)
    summary = (
        f"<code>{esc(sp.id)}</code> {esc(sp.name)} ({esc(sp.platform)}, "
        f"{sp.devices_total} devices): {esc(block.summary)}"
    )
    body = code_block(_block_lines(block), budget)
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>\n"


def _table(plan: Plan, budget: int | None) -> str:
    rows = [
        "| School | Platform | Devices | Settings | Apps | Device changes |",
        "|---|---|--:|--:|--:|--:|",
    ]
    used = 0
    for i, sp in enumerate(plan.schools):
        status = "" if sp.status == "changed" else f" ({sp.status})"
        row = (
            f"| <code>{esc(sp.id)}</code> {esc(sp.name)}{status} | {esc(sp.platform)} "
            f"| {sp.devices_total} | {sp.settings_count} | {sp.apps_count} | {sp.devices.count} |"
        )
        used += _size(row) + 1
        if budget is not None and used > budget:
            rows.append(f"| … and {len(plan.schools) - i} more schools | | | | | |")
            break
        rows.append(row)
    t = totals(plan)
    rows.append(
        f"| **{t['schools']} schools** | | {sum(s.devices_total for s in plan.schools)} "
        f"| **{t['settings']}** | **{t['apps']}** | **{t['devices']}** |"
    )
    return "\n".join(rows) + "\n"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


Part = Callable[[int | None], str]  # renders a section, cut to a budget in bytes if given


def render_markdown(plan: Plan, limit: int | None = None, link: str | None = None) -> str:
    """The whole plan; with `limit` (bytes), whole sections while they fit, then a pointer."""
    where = f"[the full plan]({link})" if link else FULL_PLAN
    base, head = esc(side_name(plan, "base")), esc(side_name(plan, "head"))
    top = [MARKER, f"### schoolmdm plan: {base} → {head}", ""]
    top += [f"> {esc(n)}\n" for n in plan.notes]
    for title, diags, budget in (
        (
            "Findings in the head (fix them; nothing is planned until then)",
            plan.head.diagnostics,
            20_000,
        ),
        ("Findings in the base (for information)", plan.base.diagnostics, 5_000),
    ):
        if diags:
            lines = [visible(line) for line in format_text(diags).splitlines()]
            top += [f"**{title}**\n", code_block(lines, budget) + "\n"]
    parts: list[Part] = []
    if not plan.blocked:
        top.append(f"**{esc(headline(plan))}**\n")
        if plan.schools:
            top.append(_table(plan, None if limit is None else limit // 4))
        shared = blocks(plan)[: len(blocks(plan)) - len(plan.schools)]
        parts += [partial(_section, b) for b in shared]
        if plan.schools:
            parts.append(lambda budget: "#### Schools\n")
        parts += [partial(_details, sp) for sp in plan.schools]
    footer = []
    if plan.no_effect:
        files = ", ".join(f"`{esc(p)}`" for p in plan.no_effect[:200])
        footer.append(f"Changed, but nothing built from them changes: {files}")
    footer.append(plan.coverage)
    text = "\n".join(top) + "\n"
    tail = "\n" + "\n\n".join(footer) + "\n"
    if limit is None:
        return text + "\n".join(p(None) for p in parts) + tail
    return _fit(text, parts, tail, limit, where)


def _fit(text: str, parts: list[Part], tail: str, limit: int, where: str) -> str:
    note = f"\n**Not everything fits here: {where}.**\n"
    budget = limit - _size(text) - _size(tail) - _size(note) - 500
    kept: list[str] = []
    for i, part in enumerate(parts):
        whole = part(None)
        if _size(whole) + 1 <= budget:
            kept.append(whole)
            budget -= _size(whole) + 1
            continue
        if budget > 4_000:  # room for a good part of this section: cut it at a line
            kept.append(part(budget - 1_000))
            i += 1
        if len(parts) > i:
            kept.append(f"… and {len(parts) - i} more section(s) not shown.\n")
        return text + "\n".join(kept) + note + tail
    return text + "\n".join(kept) + tail
