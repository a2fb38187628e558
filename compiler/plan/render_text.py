"""The plan for a terminal: Terraform-like `+ - ~` lines, estate-wide and locked changes first."""

from __future__ import annotations

from compiler.plan.model import Plan
from compiler.plan.outline import (
    Block,
    Line,
    estate_block,
    locked_block,
    school_block,
    shared_block,
    totals,
)
from compiler.plan.values import visible
from compiler.report import format_text

SIGNS = {"add": "+", "remove": "-", "change": "~"}


def side_name(plan: Plan, which: str) -> str:
    side = plan.base if which == "base" else plan.head
    return visible(f"{side.rev} ({side.commit[:12]})" if side.commit else side.rev)


def headline(plan: Plan) -> str:
    t = totals(plan)
    if not plan.has_changes:
        return "No changes: both revisions build the same artifacts."
    schools = "1 school changes" if t["schools"] == 1 else f"{t['schools']} schools change"
    counts = ", ".join(
        count(t[key], word) for key, word in (("settings", "setting"), ("apps", "app"))
    )
    devices = count(t["devices"], "device change")
    affected = count(t["devices_affected"], "device")
    return f"{schools}: {counts}, {devices} ({affected} get new settings or apps)"


def count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def line_text(line: Line) -> str:
    return visible(_line(line))


def _line(line: Line) -> str:
    pad = " " * line.indent
    if not line.op:
        return pad + line.text
    sign = SIGNS[line.op]
    if line.op == "change" and (line.old or line.new):
        body = f"{line.label}: {line.old} → {line.new}"
    elif line.op == "add" and line.new and line.new != "(none)":
        body = f"{line.label}: {line.new}"
    elif line.op == "remove" and line.old and line.old != "(none)":
        body = f"{line.label}: {line.old}"
    else:
        body = line.label
    note = f"   ({line.note})" if line.note else ""
    return f"{pad}{sign} {body}{note}"


def block_text(block: Block) -> str:
    title = visible(f"{block.title}: {block.summary}" if block.summary else block.title)
    return "\n".join([title, *(line_text(x) for x in block.lines)])


def blocks(plan: Plan) -> list[Block]:
    found = [estate_block(plan), locked_block(plan), shared_block(plan)]
    return [b for b in found if b is not None] + [school_block(s) for s in plan.schools]


def findings(plan: Plan) -> list[str]:
    out = []
    if plan.head.diagnostics:
        out += ["Findings in the head (fix them; nothing is planned until then):"]
        out += [visible(line) for line in format_text(plan.head.diagnostics).splitlines()]
    if plan.base.diagnostics:
        out += ["Findings in the base (for information):"]
        out += [visible(line) for line in format_text(plan.base.diagnostics).splitlines()]
    return out


def render_text(plan: Plan) -> str:
    parts = [f"schoolmdm plan: {side_name(plan, 'base')} → {side_name(plan, 'head')}"]
    parts += plan.notes
    parts += findings(plan)
    if plan.blocked:
        return "\n".join(parts) + "\n"
    parts.append(headline(plan))
    for block in blocks(plan):
        parts += ["", block_text(block)]
    if plan.no_effect:
        parts += ["", "Changed, but nothing built from them changes: " + ", ".join(plan.no_effect)]
    parts += [
        "",
        plan.coverage,
    ]
    return "\n".join(parts) + "\n"
