"""Python and the JSON replay (`openlines replay FILE`) give identical traces for the
same config and timed inputs, including rejected inputs (kind and message)."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import openlines
from conftest import T0, rich_config

DIALOGS = st.integers(min_value=0, max_value=6)
OPERATORS = st.sampled_from(["ann", "bob", "cid", "boss", "zed"])
LINES = st.sampled_from(["sales", "support", "night", "nope"])
CLIENTS = st.sampled_from(["c1", "c2", "c3", "c4"])


def _input(kind: str, d: int, op: str, line: str, client: str, n: int) -> Optional[Dict[str, Any]]:
    if kind == "tick":
        return None
    if kind == "client_message":
        msg: Dict[str, Any] = {"type": kind, "line": line, "client": client, "text": ["hi", "0"][n % 2],
                               "channel": "web", "priority": n % 3}
        if n % 4 == 1:
            msg["crm"] = {"found": n % 8 == 1, "responsible": op}
        return msg
    if kind in ("accept", "skip", "close"):
        return {"type": kind, "dialog": d, "operator": op}
    if kind == "operator_message":
        return {"type": kind, "dialog": d, "operator": op, "hidden": n % 5 == 0}
    if kind == "transfer":
        target = {"to_operator": op} if n % 2 else {"to_line": line}
        return {"type": kind, "dialog": d, "operator": ["ann", "bob", "cid"][n % 3], **target}
    if kind == "pin":
        return {"type": kind, "dialog": d, "operator": op, "pinned": n % 2 == 0}
    if kind == "rate":
        return {"type": kind, "dialog": d, "score": n % 7}
    if kind == "presence":
        return {"type": kind, "operator": op, "status": ["online", "away", "offline", "online", "break"][n % 5]}
    if kind in ("bot_handoff", "bot_resolved"):
        return {"type": kind, "dialog": d}
    if kind == "forget_client":
        return {"type": kind, "client": client}
    if kind == "set_operator":
        return {"type": kind, "operator": {"id": op, "max_dialogs": n % 3}}
    if kind == "set_line":
        return {"type": kind, "line": {"id": line if line != "nope" else "extra",
                                       "queue": {"operators": ["ann", "cid"], "distribution": "all"}}}
    raise AssertionError(kind)


KINDS = st.sampled_from([
    "tick", "client_message", "client_message", "client_message", "accept", "accept",
    "skip", "close", "operator_message", "operator_message", "transfer", "pin", "rate",
    "presence", "bot_handoff", "bot_resolved", "forget_client", "set_operator", "set_line",
])

STEP = st.tuples(
    st.integers(min_value=-5, max_value=400),  # seconds since the previous step (<0: backwards)
    KINDS, DIALOGS, OPERATORS, LINES, CLIENTS, st.integers(min_value=0, max_value=100),
)

Trace = List[Dict[str, Any]]


def python_trace(steps: List[Tuple[str, Optional[Dict[str, Any]]]]) -> Tuple[Trace, Trace]:
    """The trace from handle()/advance() in a loop, and from handle_many."""
    from datetime import datetime

    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    engine = openlines.Engine(rich_config())
    loop: Trace = []
    for i, (at_text, inp) in enumerate(steps):
        at = parse(at_text)
        try:
            actions = engine.handle(at, inp) if inp is not None else engine.advance(at)
        except openlines.Error as e:
            # Time is committed: the timers' actions come first, then the refusal.
            loop.extend({"step": i, "at": at_text, "action": a.to_dict()} for a in e.actions)
            loop.append({"step": i, "at": at_text, "error": {"kind": e.kind, "message": e.message}})
        else:
            loop.extend({"step": i, "at": at_text, "action": a.to_dict()} for a in actions)
    bulk: Trace = []
    results = openlines.Engine(rich_config()).handle_many(
        [(parse(t), inp) for t, inp in steps], errors="return"
    )
    for i, ((at_text, _), result) in enumerate(zip(steps, results)):
        if isinstance(result, openlines.Error):
            bulk.extend({"step": i, "at": at_text, "action": a.to_dict()} for a in result.actions)
            bulk.append({"step": i, "at": at_text, "error": {"kind": result.kind, "message": result.message}})
        else:
            bulk.extend({"step": i, "at": at_text, "action": a.to_dict()} for a in result)
    return loop, bulk


def cli_trace(cli: Path, tmp: Path, steps: List[Tuple[str, Optional[Dict[str, Any]]]]) -> Trace:
    scenario = {
        "config": rich_config(),
        "steps": [{"at": t, **({"input": inp} if inp is not None else {})} for t, inp in steps],
    }
    path = tmp / "scenario.json"
    path.write_text(json.dumps(scenario))
    out = subprocess.run([str(cli), "replay", str(path)], capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def build(raw: List[Tuple[int, str, int, str, str, str, int]]) -> List[Tuple[str, Optional[Dict[str, Any]]]]:
    steps = []
    t = T0
    for delta, kind, d, op, line, client, n in raw:
        t = t + timedelta(seconds=delta)
        steps.append((t.strftime("%Y-%m-%dT%H:%M:%SZ"), _input(kind, d, op, line, client, n)))
    return steps


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=st.lists(STEP, min_size=1, max_size=60))
def test_python_and_json_replay_agree(raw: Any, cli: Path, tmp_path: Path) -> None:
    steps = build(raw)
    loop, bulk = python_trace(steps)
    assert loop == bulk
    assert loop == cli_trace(cli, tmp_path, steps)


def test_scripted_day_agrees_with_replay(cli: Path, tmp_path: Path) -> None:
    import scenario

    steps = [((T0 + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ"), inp) for s, inp in scenario.STEPS]
    loop, bulk = python_trace(steps)
    expected = cli_trace(cli, tmp_path, steps)
    assert loop == bulk == expected
    assert len({line["action"]["type"] for line in expected if "action" in line}) == 14
