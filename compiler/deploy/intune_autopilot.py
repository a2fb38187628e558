"""Autopilot device identities: imported once, never pruned, never marked.

A serial already registered (`windowsAutopilotDeviceIdentities`) or with an import record
(pending or rejected earlier) is skipped. The import is asynchronous: each imported record is
polled until the service says complete or error, and the devices it rejects are reported with
the service's error code. A lost answer to an import is never re-sent blindly: the records are
read again first and only the devices still absent are imported.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from compiler.deploy.http import Ambiguous, GraphClient, GraphFailure, Request
from compiler.deploy.model import Outcome, Write

IMPORTED = "deviceManagement/importedWindowsAutopilotDeviceIdentities"
REGISTERED = "deviceManagement/windowsAutopilotDeviceIdentities"
SERVICE = "enrollment"
CHUNK = 500  # devices per import request, as Intune's CSV upload
ATTEMPTS = 3


class Autopilot:
    def __init__(self, client: GraphClient, poll_interval: float, max_polls: int = 60) -> None:
        self.client = client
        self.poll_interval = poll_interval
        self.max_polls = max_polls

    def _imported(self) -> list[dict[str, Any]]:
        return self.client.get_all(f"v1.0/{IMPORTED}?$select=id,serialNumber,state", SERVICE)

    def records(self, collections: Iterable[str]) -> dict[str, dict[str, str]]:
        """serial -> "registered" | "pending" | "rejected: <name> (<code>)"."""
        out: dict[str, str] = {}
        for rec in self._imported():
            serial = rec.get("serialNumber")
            if isinstance(serial, str):
                out[serial] = _status(rec)
        for rec in self.client.get_all(f"v1.0/{REGISTERED}?$select=id,serialNumber", SERVICE):
            if isinstance(rec.get("serialNumber"), str):
                out[rec["serialNumber"]] = "registered"
        return {c: out for c in collections}

    def _submit(self, w: Write) -> tuple[list[str], list[str]]:
        """(ids of the import records made, errors)."""
        ids: list[str] = []
        errors: list[str] = []
        items: list[dict[str, Any]] = list(w.body)
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            for _ in range(ATTEMPTS):
                req = Request(
                    "POST",
                    f"{w.api}/{IMPORTED}/import",
                    {"importedWindowsAutopilotDeviceIdentities": chunk},
                    SERVICE,
                    idempotent=False,
                )
                try:
                    res = self.client.send(req)
                except Ambiguous:
                    known = self.records([IMPORTED])[IMPORTED]
                    ids += [
                        r["id"]
                        for r in self._imported()
                        if r.get("serialNumber") in {i["serialNumber"] for i in chunk}
                        and known.get(r["serialNumber"]) == "pending"
                    ]
                    chunk = [i for i in chunk if i.get("serialNumber") not in known]
                    if not chunk:
                        break
                    continue
                except GraphFailure as exc:
                    errors.append(exc.message)
                    break
                body = res.body if isinstance(res.body, dict) else {}
                ids += [
                    str(v["id"]) for v in body.get("value", []) if isinstance(v, dict) and "id" in v
                ]
                break
            else:
                errors.append("the import could not be confirmed after several attempts")
        return ids, errors

    def run(self, writes: Sequence[Write]) -> list[Outcome]:
        submitted = [self._submit(w) for w in writes]
        pending = {rid: n for n, (ids, _) in enumerate(submitted) for rid in ids}
        rejected: dict[int, list[str]] = {}
        for attempt in range(self.max_polls):
            if not pending:
                break
            # soon at first (small imports finish in seconds), then every `poll_interval`
            time.sleep(min(self.poll_interval, 0.5 * 2**attempt))
            now = {str(r.get("id")): r for r in self._imported()}
            for rid in list(pending):
                rec = now.get(rid)
                status = _status(rec) if rec is not None else "registered"
                if status == "pending":
                    continue
                n = pending.pop(rid)
                if status.startswith("rejected") and rec is not None:
                    rejected.setdefault(n, []).append(f"{rec.get('serialNumber')} ({status[10:]})")
        still = {n for n in pending.values()}
        out = []
        for n, (w, (ids, errors)) in enumerate(zip(writes, submitted, strict=True)):
            notes = [f"{len(ids)} of {len(w.body)} devices imported"]
            if n in still:
                notes.append("some devices are still being processed; the next run checks them")
            if n in rejected:
                errors.append(
                    f"the Autopilot service rejected {len(rejected[n])} devices: "
                    + ", ".join(sorted(rejected[n])[:50])
                )
            out.append(
                Outcome(not errors, error="; ".join(errors) or None, detail={"notes": notes})
            )
        return out


def _status(rec: dict[str, Any]) -> str:
    raw = rec.get("state")
    state: dict[str, Any] = raw if isinstance(raw, dict) else {}
    status = state.get("deviceImportStatus")
    if status == "complete":
        return "registered"
    if status == "error":
        return (
            f"rejected: {state.get('deviceErrorName') or 'error'} ({state.get('deviceErrorCode')})"
        )
    return "pending"
