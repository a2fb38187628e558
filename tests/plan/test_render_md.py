"""Markdown for the pull request: a table first, one <details> per school, within GitHub's
limits, and nothing from the estate can break out of its place or mention anyone."""

from __future__ import annotations

import re

from compiler.plan.diff import MISSING, Change
from compiler.plan.model import ArtifactDiff, ParamChange, Plan, SchoolPlan, Side
from compiler.plan.render_md import COMMENT_LIMIT, MARKER, SUMMARY_LIMIT, render_markdown


def school(i: int, changes: int, name: str = "") -> SchoolPlan:
    sp = SchoolPlan(f"school-{i:04d}", name or f"Schule {i}", "apple", "changed", 300)
    art = ArtifactDiff(
        f"school-{i:04d}/apple/profile/wifi",
        f"schools/school-{i:04d}/apple/wifi.mobileconfig",
        sp.id,
        "profile",
        "wifi",
        "changed",
        "plist",
        "settings",
    )
    art.changes = [
        Change(("PayloadContent", f"[wifi · {k}]", "SSID_STR"), f"old-{k}" * 3, f"new-{k}" * 3)
        for k in range(changes)
    ]
    art.origins = ["wifi.ssid"] * changes
    sp.artifacts = [art]
    sp.params = [ParamChange(Change(("wifi", "ssid"), "a", "b"))]
    return sp


def big_plan(n: int, changes: int) -> Plan:
    plan = Plan(Side("main", "a" * 40), Side("feature", "b" * 40))
    plan.schools = [school(i, changes) for i in range(n)]
    plan.rendered = [s.id for s in plan.schools]
    return plan


def outside_code(md: str) -> str:
    """The Markdown outside fenced code blocks (where GitHub reads HTML); fences must close."""
    out, fence = [], ""
    for line in md.splitlines():
        m = re.match(r"(`{3,})", line)
        if fence:
            if m and m.group(1) == fence and line.strip() == fence:
                fence = ""
            continue
        if m:
            fence = m.group(1)
            continue
        out.append(line)
    assert fence == "", "a code block is left open"
    return "\n".join(out)


def balanced(md: str) -> None:
    html = outside_code(md)
    assert html.count("<details>") == html.count("</details>")
    assert html.count("<summary>") == html.count("</summary>")


def test_summary_table_first_then_one_details_per_school() -> None:
    md = render_markdown(big_plan(3, 2))
    assert md.startswith(MARKER)
    assert md.index("| School |") < md.index("<details>")
    assert md.count("<details>") == 3
    assert '+        SSID_STR: "new-0new-0new-0"   # wifi.ssid' in md
    balanced(md)


def test_capped_under_the_comment_limit_with_a_pointer() -> None:
    plan = big_plan(400, 60)
    full = render_markdown(plan)
    assert len(full) > 10 * COMMENT_LIMIT
    md = render_markdown(plan, COMMENT_LIMIT - 536, "https://example.org/run/1")
    assert len(md) <= COMMENT_LIMIT and len(md.encode()) <= COMMENT_LIMIT - 536
    assert "[the full plan](https://example.org/run/1)" in md
    assert "more section(s) not shown" in md
    assert md.startswith(MARKER) and "| School |" in md
    balanced(md)


def test_one_huge_school_is_cut_inside_its_block() -> None:
    md = render_markdown(big_plan(1, 5000), 60_000)
    assert len(md.encode()) <= 60_000
    assert "more lines" in md
    balanced(md)


def test_job_summary_limit() -> None:
    md = render_markdown(big_plan(3000, 20), SUMMARY_LIMIT - 48_576)
    assert len(md.encode()) <= SUMMARY_LIMIT
    balanced(md)


def test_estate_text_cannot_break_out_or_mention() -> None:
    plan = big_plan(1, 1)
    sp = plan.schools[0]
    sp.name = "Evil | </summary></details><script>x</script> @org/team #12 ``` **b**"
    sp.artifacts[0].changes = [Change(("PayloadContent", "SSID_STR"), "````\n</details>", MISSING)]
    md = render_markdown(plan)
    summary = md[md.index("<summary>") : md.index("</summary>")]
    assert "<script>" not in md and "@org" not in summary and "#12" not in summary
    assert "```" not in summary and "|" not in summary.replace("&#124;", "")
    balanced(md)
    assert outside_code(md).count("</details>") == 1


def test_blocked_plan_lists_findings_only() -> None:
    from compiler.diagnostics import Diagnostic

    plan = big_plan(2, 1)
    plan.head.diagnostics = [Diagnostic("schools/x/school.yaml", 3, 1, "schema", "bad `value`")]
    md = render_markdown(plan)
    assert "Findings in the head" in md and "<details>" not in md
    balanced(md)


def test_invisible_characters_are_made_visible() -> None:
    from compiler.plan.render_text import render_text

    plan = big_plan(1, 1)
    plan.schools[0].name = "Schule\u202eevil"
    plan.schools[0].artifacts[0].changes = [
        Change(("PayloadContent", "SSID\x1b[2J"), "Schule", "Schule\u200b")
    ]
    for out in (render_markdown(plan), render_text(plan)):
        assert "\u202e" not in out and "\x1b" not in out and "\u200b" not in out
        assert "\\u200b" in out and "\\u202e" in out and "\\u001b" in out
