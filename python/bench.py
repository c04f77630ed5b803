#!/usr/bin/env python3
"""Throughput of the openlines Python binding on the standard simulated day.

Replays the day's recorded inputs (3 lines, 200 operators, 200,000 dialogs, clock
ticks at every deadline; written by ``openlines bench --dump-day FILE``) through a
fresh engine three ways and prints inputs per second for each:

* ``dict``: ``engine.handle(at, {...})`` per input, inputs as plain dicts;
* ``typed``: ``engine.handle(at, openlines.ClientMessage(...))`` per input;
* ``handle_many``: one ``engine.handle_many(steps, errors="return")`` call for the
  whole day (dict inputs; ``None`` for a tick).

Building the inputs (parsing the file, making datetimes and typed objects) is not
timed. Goals (issue 6): >= 300k inputs/s with dicts, >= 1M inputs/s with handle_many.

usage: python bench.py [--day FILE] [--dialogs N] [--json]
  Without --day, runs ``$OPENLINES_CLI bench --dump-day`` (default:
  ``$CARGO_TARGET_DIR/release/openlines``, else ``target/release/openlines``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

# Import the installed package, not the source tree next to this file (whose extension
# module, if any, may be a stale or debug build).
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import openlines  # noqa: E402

REPO = HERE.parent


def cli_path() -> str:
    if os.environ.get("OPENLINES_CLI"):
        return os.environ["OPENLINES_CLI"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "release" / "openlines")


def load_day(path: str) -> tuple[dict[str, Any], list[tuple[datetime, dict[str, Any]]]]:
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


def run_each(config: dict[str, Any], steps: list[tuple[datetime, Any]]) -> tuple[float, int, int]:
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


def run_many(config: dict[str, Any], steps: list[tuple[datetime, Optional[Any]]]) -> tuple[float, int, int]:
    engine = openlines.Engine(config)
    start = time.perf_counter()
    results = engine.handle_many(steps, errors="return")
    secs = time.perf_counter() - start
    actions = sum(len(r) for r in results if isinstance(r, list))
    rejected = sum(1 for r in results if not isinstance(r, list))
    return secs, actions, rejected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--day", help="JSON lines from `openlines bench --dump-day`")
    parser.add_argument("--dialogs", type=int, default=200_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=2, help="timed runs per way (best counts)")
    args = parser.parse_args()

    tmp = None
    day = args.day
    if day is None:
        tmp = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False)
        tmp.close()
        day = tmp.name
        subprocess.run(
            [cli_path(), "bench", "--dump-day", day, "--dialogs", str(args.dialogs)],
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

    results: dict[str, Any] = {"inputs": n, "module": openlines.__file__}
    reference = None
    for name, fn, steps in [
        ("dict", run_each, dict_steps),
        ("typed", run_each, typed_steps),
        ("handle_many", run_many, many_steps),
        ("handle_many_typed", run_many, typed_steps),
    ]:
        best = None
        for _ in range(args.rounds):
            secs, actions, rejected = fn(config, steps)  # type: ignore[operator]
            best = secs if best is None else min(best, secs)
        if reference is None:
            reference = (actions, rejected)
        elif (actions, rejected) != reference:
            print(f"bench.py: {name} gave {actions} actions / {rejected} rejected, "
                  f"expected {reference}", file=sys.stderr)
            return 1
        assert best is not None
        results[f"{name}_inputs_per_sec"] = round(n / best)
    results["actions"], results["rejected"] = reference or (0, 0)
    results["goals"] = {
        "dict>=300k": results["dict_inputs_per_sec"] >= 300_000,
        "handle_many>=1M": results["handle_many_inputs_per_sec"] >= 1_000_000,
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"openlines Python bench ({openlines.__file__})")
        print(f"standard day, {n} inputs "
              f"({results['actions']} actions, {results['rejected']} rejected)")
        for key in ["dict", "typed", "handle_many", "handle_many_typed"]:
            print(f"  {key:<20}{results[key + '_inputs_per_sec']:>12,} inputs/s")
        for goal, met in results["goals"].items():
            print(f"  goal {goal:<16}{'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
