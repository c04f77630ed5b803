#!/usr/bin/env python3
"""Throughput of the openlines Python binding: against a hand-written router, and on
the standard simulated day.

**M/M/c day** (``--only mmc``): one line, 10 operators of 2 dialogs each, clients
arriving as a Poisson process at 0.9 of that capacity, every offer accepted at once,
each dialog closed after an exponential service time (mean 10 minutes). Three routers
get the same traffic and only the time inside their calls is counted:

* ``handwritten``: ``HandWrittenRouter``, what a helpdesk writes itself (least_busy,
  per-operator capacity, a FIFO queue; dicts in, dicts out);
* ``engine_dicts``: ``engine.handle(at, {...})`` with ``to_dict()`` on every action;
* ``engine_typed``: typed inputs in, actions read with ``match`` (outside the timing).

The three must make the same decisions (``tests/test_bench_baseline.py`` checks it);
the goal (issue 12) is the engine at >= 2x the hand-written router's speed. The
core's own cost on the same day is ``openlines bench --mmc-only``.

**Standard day** (``--only day``): the day's recorded inputs (3 lines, 200 operators,
200,000 dialogs, clock ticks at every deadline; written by ``openlines bench
--dump-day FILE``) through a fresh engine four ways, in inputs per second:

* ``dict``: ``engine.handle(at, {...})`` per input, inputs as plain dicts;
* ``typed``: ``engine.handle(at, openlines.ClientMessage(...))`` per input;
* ``handle_many`` / ``handle_many_typed``: one ``engine.handle_many(steps,
  errors="return")`` call for the whole day (``None`` for a tick).

Building the inputs (parsing the file, making datetimes and typed objects) is not
timed. Needs Python 3.10+ (``match``).

usage: python bench.py [--only day|mmc] [--day FILE] [--dialogs N] [--mmc-dialogs N] [--json]
  Without --day, runs ``$OPENLINES_CLI bench --dump-day`` (default:
  ``$CARGO_TARGET_DIR/release/openlines``, else ``target/release/openlines``).
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import deque
from datetime import datetime, timedelta, timezone
from pathlib import Path
from time import perf_counter_ns
from typing import Any, Callable, Optional

# Import the installed package, not the source tree next to this file (whose extension
# module, if any, may be a stale or debug build).
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import openlines  # noqa: E402
from openlines.types import ConfigDict  # noqa: E402

REPO = HERE.parent


def cli_path() -> str:
    if os.environ.get("OPENLINES_CLI"):
        return os.environ["OPENLINES_CLI"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "release" / "openlines")


def load_day(path: str) -> tuple[ConfigDict, list[tuple[datetime, dict[str, Any]]]]:
    with open(path, encoding="utf-8") as f:
        config = json.loads(f.readline())["config"]
        steps = []
        for line in f:
            row = json.loads(line)
            steps.append((datetime.fromisoformat(row["at"].replace("Z", "+00:00")), row["input"]))
    return config, steps


def typed(d: dict[str, Any]) -> Any:
    kind = d["type"]
    if kind == "client_message":
        fields = {k: v for k, v in d.items() if k != "type"}
        return openlines.ClientMessage(**fields)
    if kind == "operator_message":
        return openlines.OperatorMessage(d["dialog"], d["operator"], d.get("hidden", False))
    if kind == "accept":
        return openlines.Accept(d["dialog"], d["operator"])
    if kind == "skip":
        return openlines.Skip(d["dialog"], d["operator"])
    if kind == "close":
        return openlines.Close(d["dialog"], d["operator"])
    if kind == "rate":
        return openlines.Rate(d["dialog"], d["score"])
    if kind == "presence":
        return openlines.Presence(d["operator"], d["status"])
    if kind == "tick":
        return openlines.Tick()
    raise ValueError(f"bench.py has no typed form for {kind}")


def run_each(config: ConfigDict, steps: list[tuple[datetime, Any]]) -> tuple[float, int, int]:
    engine = openlines.Engine(config)
    handle = engine.handle
    error = openlines.Error
    actions = rejected = 0
    start = time.perf_counter()
    for at, inp in steps:
        try:
            actions += len(handle(at, inp))
        except error:
            rejected += 1
    return time.perf_counter() - start, actions, rejected


def run_many(config: ConfigDict, steps: list[tuple[datetime, Optional[Any]]]) -> tuple[float, int, int]:
    engine = openlines.Engine(config)
    start = time.perf_counter()
    results = engine.handle_many(steps, errors="return")
    secs = time.perf_counter() - start
    actions = sum(len(r) for r in results if isinstance(r, list))
    rejected = sum(1 for r in results if not isinstance(r, list))
    return secs, actions, rejected


# ---------------------------------------------------------------- M/M/c: engine vs a hand-written router

#: The line of the M/M/c workload: least_busy, a per-operator capacity, FIFO waiting,
#: no automatic texts. Offers are accepted at once, so no offer times out.
def mmc_config(operators: int, capacity: int) -> ConfigDict:
    ids = [f"op{i}" for i in range(operators)]
    return {
        "operators": [{"id": o, "max_dialogs": capacity} for o in ids],
        "lines": [{"id": "sales", "queue": {"operators": ids, "distribution": "least_busy"}}],
    }


class HandWrittenRouter:
    """The baseline: what a helpdesk writes itself in 40 lines of Python.

    least_busy over the line's operators (ties go to the earlier one in the queue), a
    per-operator capacity counting offered and assigned dialogs, a FIFO queue of
    dialogs nobody can take; dicts in, dicts out (section 3 and 4 shapes, with
    ``expires_at`` left a datetime: no formatting is charged to the baseline).
    """

    def __init__(self, config: ConfigDict) -> None:
        self.operators = [o["id"] for o in config["operators"]]
        self.capacity = {o["id"]: o["max_dialogs"] for o in config["operators"]}
        self.load = dict.fromkeys(self.operators, 0)
        self.owner: dict[int, str] = {}
        self.waiting: deque[int] = deque()
        self.next_dialog = 1
        self.forward_after = timedelta(seconds=60)

    def _offer(self, at: datetime, dialog: int) -> Optional[dict[str, Any]]:
        best = None
        for op in self.operators:
            load = self.load[op]
            if load < self.capacity[op] and (best is None or load < self.load[best]):
                best = op
        if best is None:
            return None
        self.load[best] += 1
        self.owner[dialog] = best
        return {"type": "offer", "dialog": dialog, "operators": [best],
                "expires_at": at + self.forward_after}

    def handle(self, at: datetime, msg: dict[str, Any]) -> list[dict[str, Any]]:
        kind = msg["type"]
        if kind == "client_message":
            dialog = self.next_dialog
            self.next_dialog += 1
            out = [{"type": "dialog_opened", "dialog": dialog, "line": msg["line"],
                    "client": msg["client"]}]
            offer = self._offer(at, dialog)
            if offer is None:
                self.waiting.append(dialog)
                out.append({"type": "queued", "dialog": dialog, "reason": "nobody_available"})
            else:
                out.append(offer)
            return out
        if kind == "accept":
            return [{"type": "assigned", "dialog": msg["dialog"], "operator": msg["operator"],
                     "reason": "accepted"}]
        if kind == "close":
            dialog = msg["dialog"]
            self.load[self.owner.pop(dialog)] -= 1
            out = [{"type": "dialog_closed", "dialog": dialog, "reason": "operator"}]
            if self.waiting:
                offer = self._offer(at, self.waiting[0])
                if offer is not None:
                    self.waiting.popleft()
                    out.append(offer)
            return out
        raise ValueError(f"the baseline router has no {kind}")


#: One decision of a router, as the M/M/c driver reads it: (type, dialog, operator).
Decision = tuple[str, int, Optional[str]]


def dict_decisions(out: list[dict[str, Any]]) -> list[Decision]:
    """The decisions in a list of action dicts (section 4 shapes)."""
    found: list[Decision] = []
    for a in out:
        kind = a["type"]
        if kind == "offer":
            found.append((kind, a["dialog"], a["operators"][0]))
        elif kind == "assigned":
            found.append((kind, a["dialog"], a["operator"]))
        elif kind in ("dialog_opened", "queued", "dialog_closed"):
            found.append((kind, a["dialog"], None))
    return found


def typed_decisions(out: list[Any]) -> list[Decision]:
    """The decisions in a list of typed actions, read with ``match``."""
    found: list[Decision] = []
    for a in out:
        match a:
            case openlines.Offer(dialog=d, operators=ops):
                found.append(("offer", d, ops[0]))
            case openlines.Assigned(dialog=d, operator=op):
                found.append(("assigned", d, op))
            case openlines.DialogOpened(dialog=d):
                found.append(("dialog_opened", d, None))
            case openlines.Queued(dialog=d):
                found.append(("queued", d, None))
            case openlines.DialogClosed(dialog=d):
                found.append(("dialog_closed", d, None))
    return found


class MmcWay:
    """One way of driving a router: how inputs are built, the timed call, and how its
    output is read (untimed)."""

    def __init__(self, name: str, call: Callable[[datetime, Any], Any],
                 decisions: Callable[[Any], list[Decision]], typed: bool) -> None:
        self.name, self.call, self.decisions, self.typed = name, call, decisions, typed

    def client(self, client: str) -> Any:
        if self.typed:
            return openlines.ClientMessage(line="sales", client=client)
        return {"type": "client_message", "line": "sales", "client": client}

    def accept(self, dialog: int, operator: str) -> Any:
        if self.typed:
            return openlines.Accept(dialog, operator)
        return {"type": "accept", "dialog": dialog, "operator": operator}

    def close(self, dialog: int, operator: str) -> Any:
        if self.typed:
            return openlines.Close(dialog, operator)
        return {"type": "close", "dialog": dialog, "operator": operator}


def mmc_ways(config: ConfigDict) -> list[MmcWay]:
    """The baseline and the two engine ways, each with a fresh router."""
    router = HandWrittenRouter(config)
    engine = openlines.Engine(config)
    typed_engine = openlines.Engine(config)
    handle, typed_handle = engine.handle, typed_engine.handle
    return [
        MmcWay("handwritten", router.handle, dict_decisions, typed=False),
        MmcWay("engine_dicts",
               lambda at, inp: [a.to_dict() for a in handle(at, inp)],
               dict_decisions, typed=False),
        MmcWay("engine_typed", typed_handle, typed_decisions, typed=True),
    ]


def run_mmc(way: MmcWay, dialogs: int, operators: int, capacity: int,
            seed: int = 7) -> tuple[float, int, list[Decision]]:
    """Drive one router through the M/M/c day and time only its calls.

    Clients arrive as a Poisson process (load 0.9 of the operators' total capacity),
    every offer is accepted at once by its operator, and each dialog is closed by its
    operator after an exponential service time (mean 10 minutes). Returns the seconds
    spent inside the calls, the number of calls and every decision in order.
    """
    rng = random.Random(seed)
    mean_service = 600.0
    rate = 0.9 * operators * capacity / mean_service
    start = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    closes: list[tuple[float, int, str]] = []
    decisions: list[Decision] = []
    spent = 0
    calls = 0
    clock = perf_counter_ns
    arrival = 0.0
    arrived = 0

    def step(t: float, inp: Any) -> None:
        nonlocal spent, calls
        at = start + timedelta(seconds=t)
        pending = [inp]
        while pending:
            begin = clock()
            out = way.call(at, pending.pop())
            spent += clock() - begin
            calls += 1
            found = way.decisions(out)
            decisions.extend(found)
            for kind, dialog, op in found:
                if kind == "offer":
                    assert op is not None
                    pending.append(way.accept(dialog, op))
                elif kind == "assigned":
                    assert op is not None
                    heapq.heappush(closes, (t + rng.expovariate(1 / mean_service), dialog, op))

    while arrived < dialogs or closes:
        if arrived < dialogs and (not closes or arrival <= closes[0][0]):
            step(arrival, way.client(f"tg:{arrived}"))
            arrived += 1
            arrival += rng.expovariate(rate)
        else:
            t, dialog, op = heapq.heappop(closes)
            step(t, way.close(dialog, op))
    return spent / 1e9, calls, decisions


def bench_mmc(dialogs: int, operators: int, capacity: int, rounds: int) -> dict[str, Any]:
    """Nanoseconds per call of each way on the M/M/c day (best of ``rounds``), and the
    engine's speed relative to the hand-written router (goal: >= 2)."""
    config = mmc_config(operators, capacity)
    best: dict[str, float] = {}
    reference: Optional[list[Decision]] = None
    calls = 0
    for _ in range(rounds):
        for way in mmc_ways(config):
            secs, calls, decisions = run_mmc(way, dialogs, operators, capacity)
            if reference is None:
                reference = decisions
            elif decisions != reference:
                raise SystemExit(f"bench.py: {way.name} decided differently from the baseline")
            best[way.name] = min(best.get(way.name, secs), secs)
    out: dict[str, Any] = {"dialogs": dialogs, "operators": operators, "capacity": capacity,
                           "calls": calls}
    for name, secs in best.items():
        out[f"{name}_ns_per_call"] = round(secs / calls * 1e9)
    for name in ("engine_dicts", "engine_typed"):
        out[f"{name}_vs_handwritten"] = round(best["handwritten"] / best[name], 2)
    return out


def bench_day(day: Optional[str], dialogs: int, rounds: int) -> dict[str, Any]:
    """Inputs per second of each way on the standard day (best of ``rounds``)."""
    tmp = None
    if day is None:
        tmp = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False)
        tmp.close()
        day = tmp.name
        subprocess.run(
            [cli_path(), "bench", "--dump-day", day, "--dialogs", str(dialogs)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    try:
        config, dict_steps = load_day(day)
    finally:
        if tmp is not None:
            os.unlink(tmp.name)
    typed_steps = [(at, typed(d)) for at, d in dict_steps]
    many_steps: list[tuple[datetime, Optional[Any]]] = [
        (at, None if d["type"] == "tick" else d) for at, d in dict_steps
    ]
    n = len(dict_steps)
    results: dict[str, Any] = {"inputs": n}
    reference = None
    for name, fn, steps in [
        ("dict", run_each, dict_steps),
        ("typed", run_each, typed_steps),
        ("handle_many", run_many, many_steps),
        ("handle_many_typed", run_many, typed_steps),
    ]:
        best = None
        for _ in range(rounds):
            secs, actions, rejected = fn(config, steps)
            best = secs if best is None else min(best, secs)
        if reference is None:
            reference = (actions, rejected)
        elif (actions, rejected) != reference:
            raise SystemExit(f"bench.py: {name} gave {actions} actions / {rejected} rejected, "
                             f"expected {reference}")
        assert best is not None
        results[f"{name}_inputs_per_sec"] = round(n / best)
    results["actions"], results["rejected"] = reference or (0, 0)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["day", "mmc"], help="run one of the two benches")
    parser.add_argument("--day", help="JSON lines from `openlines bench --dump-day`")
    parser.add_argument("--dialogs", type=int, default=200_000, help="dialogs of the standard day")
    parser.add_argument("--mmc-dialogs", type=int, default=100_000, help="dialogs of the M/M/c day")
    parser.add_argument("--operators", type=int, default=10, help="M/M/c operators")
    parser.add_argument("--capacity", type=int, default=2, help="M/M/c dialogs per operator")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per way (best counts)")
    args = parser.parse_args()

    results: dict[str, Any] = {"module": openlines.__file__}
    if args.only in (None, "mmc"):
        results["mmc"] = bench_mmc(args.mmc_dialogs, args.operators, args.capacity, args.rounds)
    if args.only in (None, "day"):
        results["day"] = bench_day(args.day, args.dialogs, args.rounds)
    goals = {}
    if "mmc" in results:
        goals["engine_dicts_vs_handwritten>=2"] = results["mmc"]["engine_dicts_vs_handwritten"] >= 2
        goals["engine_typed_vs_handwritten>=2"] = results["mmc"]["engine_typed_vs_handwritten"] >= 2
    results["goals"] = goals
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"openlines Python bench ({openlines.__file__})")
    if "mmc" in results:
        m = results["mmc"]
        print(f"M/M/c day: {m['dialogs']} dialogs, {m['operators']} operators x {m['capacity']}, "
              f"{m['calls']} calls (time inside the calls)")
        for way in ("handwritten", "engine_dicts", "engine_typed"):
            print(f"  {way:<20}{m[way + '_ns_per_call']:>8,} ns/call")
        for way in ("engine_dicts", "engine_typed"):
            print(f"  {way} vs handwritten: {m[way + '_vs_handwritten']}x")
    if "day" in results:
        d = results["day"]
        print(f"standard day, {d['inputs']} inputs "
              f"({d['actions']} actions, {d['rejected']} rejected)")
        for key in ["dict", "typed", "handle_many", "handle_many_typed"]:
            print(f"  {key:<20}{d[key + '_inputs_per_sec']:>12,} inputs/s")
    for goal, met in goals.items():
        print(f"  goal {goal:<34}{'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
