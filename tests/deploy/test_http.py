"""The Graph client against the emulator: retries, Retry-After, token refresh, lost answers,
paging, batching with per-item statuses, the deadline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from compiler.deploy.http import (
    Ambiguous,
    AuthFailure,
    GraphClient,
    GraphFailure,
    Request,
    RetryPolicy,
)
from compiler.deploy.pacing import Pacer
from tests.support.graph_emulator import Fault, GraphEmulator, Limits

CONFIGS = "deviceManagement/deviceConfigurations"
BODY = {
    "@odata.type": "#microsoft.graph.windows10CustomConfiguration",
    "displayName": "x",
    "omaSettings": [],
}


class Tokens:
    def __init__(self, first: str, then: str | None) -> None:
        self.first, self.then, self.refreshed = first, then, 0

    def token(self) -> str:
        return self.first

    def refresh(self) -> str | None:
        self.refreshed += 1
        return self.then


@pytest.fixture
def graph() -> Iterator[GraphEmulator]:
    with GraphEmulator(limits=Limits(page_size=7), token="good") as e:
        yield e


def client(graph: GraphEmulator, tokens: Tokens | None = None, **policy: float) -> GraphClient:
    slept: list[float] = []
    pol = RetryPolicy(base=0.001, cap=0.01, sleep=slept.append, **policy)  # type: ignore[arg-type]
    c = GraphClient(graph.url, tokens or Tokens("good", None), Pacer({}), pol)
    c.slept = slept  # type: ignore[attr-defined]
    return c


def test_paging_follows_next_links(graph: GraphEmulator) -> None:
    for i in range(30):
        graph.tenant.seed(CONFIGS, {**BODY, "displayName": f"n{i}"})
    c = client(graph)
    items = c.get_all(f"beta/{CONFIGS}?$select=id,displayName", "cfg")
    assert sorted(i["displayName"] for i in items) == sorted(f"n{i}" for i in range(30))
    assert graph.stats.requests == 5  # ceil(30 / 7)


def test_429_waits_what_retry_after_says(graph: GraphEmulator) -> None:
    graph.inject(Fault("429", "GET", retry_after=7, times=2))
    c = client(graph)
    assert c.send(Request("GET", f"v1.0/{CONFIGS}")).status == 200
    assert c.slept == [7.0, 7.0]  # type: ignore[attr-defined]


def test_5xx_and_dropped_connections_are_retried_for_reads(graph: GraphEmulator) -> None:
    graph.inject(Fault("503", "GET"), Fault("drop", "GET"), Fault("500", "GET"))
    assert client(graph).send(Request("GET", f"v1.0/{CONFIGS}")).status == 200
    assert graph.stats.requests == 4


def test_a_create_with_an_unclear_answer_is_not_sent_again(graph: GraphEmulator) -> None:
    for kind in ("500-after", "drop-after", "503"):
        graph.inject(Fault(kind, "POST"))
        with pytest.raises(Ambiguous):
            client(graph).send(Request("POST", f"beta/{CONFIGS}", BODY, idempotent=False))
    assert len(graph.tenant.all(CONFIGS)) == 2  # the two that were carried out; none twice


def test_one_token_refresh_on_401_then_a_stop(graph: GraphEmulator) -> None:
    tokens = Tokens("stale", "good")
    assert client(graph, tokens).send(Request("GET", f"v1.0/{CONFIGS}")).status == 200
    assert tokens.refreshed == 1
    tokens = Tokens("stale", "also-stale")
    with pytest.raises(AuthFailure):
        client(graph, tokens).send(Request("GET", f"v1.0/{CONFIGS}"))
    assert tokens.refreshed == 1


def test_a_final_4xx_carries_the_service_message(graph: GraphEmulator) -> None:
    with pytest.raises(GraphFailure) as exc:
        client(graph).send(
            Request("POST", f"beta/{CONFIGS}", {"displayName": "no type"}, idempotent=False)
        )
    assert exc.value.status == 400 and "@odata.type is required" in exc.value.message


def test_retries_are_bounded(graph: GraphEmulator) -> None:
    graph.inject(Fault("500", "GET", times=100))
    with pytest.raises(GraphFailure, match="gave up after 6 attempts"):
        client(graph).send(Request("GET", f"v1.0/{CONFIGS}"))
    assert graph.stats.requests == 6


def test_the_deadline_stops_waiting(graph: GraphEmulator) -> None:
    graph.inject(Fault("429", "GET", retry_after=50))
    with pytest.raises(GraphFailure, match="deadline"):
        client(graph, deadline=10).send(Request("GET", f"v1.0/{CONFIGS}"))


def test_batches_answer_in_any_order_and_retry_throttled_items(graph: GraphEmulator) -> None:
    ids = [graph.tenant.seed(CONFIGS, {**BODY, "displayName": f"n{i}"}) for i in range(45)]
    graph.inject(Fault("429", "GET", path=ids[3], retry_after=2), Fault("500", "GET", path=ids[40]))
    c = client(graph)
    res = c.send_many([Request("GET", f"beta/{CONFIGS}/{i}", service="cfg") for i in ids])
    assert [r.body["displayName"] for r in res] == [f"n{i}" for i in range(45)]  # type: ignore[union-attr]
    assert graph.stats.batches == 5  # 20 + 20 + 5, and each throttled item again in its chunk
    assert 2.0 in c.slept  # type: ignore[attr-defined]


def test_creates_in_a_batch_with_unclear_answers_are_reported_not_resent(
    graph: GraphEmulator,
) -> None:
    graph.inject(
        Fault("500-after", "POST", times=1), Fault("429", "POST", times=1, retry_after=0.01)
    )
    reqs = [
        Request(
            "POST", f"beta/{CONFIGS}", {**BODY, "displayName": f"c{i}"}, "cfg", idempotent=False
        )
        for i in range(5)
    ]
    res = client(graph).send_many(reqs)
    assert sum(isinstance(r, Ambiguous) for r in res) == 1
    assert len(graph.tenant.all(CONFIGS)) == 5  # the throttled one was sent again, nothing twice


def test_a_server_without_batch_gets_plain_requests(graph: GraphEmulator) -> None:
    ids = [graph.tenant.seed(CONFIGS, BODY) for _ in range(3)]
    c = client(graph)
    c.base = graph.url  # /v9/$batch does not exist: the client falls back
    res = c.send_many(
        [Request("GET", f"v1.0/{CONFIGS}/{i}") for i in ids] + [Request("GET", "v9/x/y")]
    )
    assert isinstance(res[3], GraphFailure)
    assert all(not isinstance(r, GraphFailure) for r in res[:3])
