"""The pacer keeps each Intune service under its documented limit, with a simulated clock."""

from __future__ import annotations

import pytest

from compiler.deploy.pacing import INTUNE, Limit, Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_hundred_writes_go_at_once_the_next_waits_for_the_window() -> None:
    clock = Clock()
    pacer = Pacer({"cfg": INTUNE}, clock, clock.sleep)
    for _ in range(100):
        pacer.acquire("cfg", 1, 1, None)
    assert clock.now == 0
    pacer.acquire("cfg", 1, 1, None)
    assert 20.0 <= clock.now <= 20.0 * 1.02 + 0.05


def test_a_request_counts_from_its_answer() -> None:
    clock = Clock()
    pacer = Pacer({"cfg": Limit(writes=1, requests=10, window=10)}, clock, clock.sleep)
    ticket = pacer.acquire("cfg", 1, 1, None)
    clock.now = 3.0  # the answer took three seconds: the server may have counted it late
    pacer.settle(ticket)
    pacer.acquire("cfg", 1, 1, None)
    assert clock.now >= 13.0


def test_no_window_of_twenty_seconds_ever_holds_more_than_a_hundred_writes() -> None:
    clock = Clock()
    pacer = Pacer({"cfg": INTUNE}, clock, clock.sleep)
    stamps = []
    for n in (20, 7, 20, 1, 20, 20, 13, 20, 20, 20) * 5:
        flags = [True] * n
        while flags:
            got, ticket = pacer.acquire_some("cfg", flags, None)
            pacer.settle(ticket)
            stamps += [clock.now] * got
            flags = flags[got:]
    for i, t in enumerate(stamps):
        assert sum(1 for u in stamps[i:] if u < t + 20.0) <= 100
    # and nothing is wasted: the run takes the minimum number of windows
    assert clock.now < (len(stamps) // 100) * 20.0 * 1.03 + 1


def test_reads_count_against_the_any_request_limit_only() -> None:
    clock = Clock()
    pacer = Pacer({"cfg": Limit(writes=2, requests=3, window=10)}, clock, clock.sleep)
    assert pacer.acquire_some("cfg", [False, False, True, True], None)[0] == 3
    assert clock.now == 0
    assert pacer.acquire_some("cfg", [True], None)[0] == 1
    assert clock.now >= 10


def test_unknown_services_are_not_paced_and_the_deadline_is_kept() -> None:
    clock = Clock()
    pacer = Pacer({"cfg": Limit(writes=1, requests=10, window=10)}, clock, clock.sleep)
    pacer.acquire("other", 50, 50, None)
    pacer.acquire("cfg", 1, 1, None)
    with pytest.raises(TimeoutError):
        pacer.acquire("cfg", 1, 1, deadline=5)
