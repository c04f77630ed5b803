"""A scripted day on the rich config that uses every input kind and produces every
action kind, given both as dicts and as typed inputs."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import openlines

from conftest import at

# (seconds after T0, dict input or None for a tick)
STEPS: List[Tuple[float, Optional[dict[str, Any]]]] = [
    (0, {"type": "client_message", "line": "sales", "client": "c1", "text": "hi",
         "channel": "telegram", "crm": {"found": False}}),
    (60, None),
    (120, None),
    (130, {"type": "client_message", "line": "sales", "client": "c2", "priority": 1,
           "language": "", "skills": [], "crm": {"found": False}}),
    (131, {"type": "accept", "dialog": 2, "operator": "ann"}),
    (132, {"type": "transfer", "dialog": 2, "operator": "ann", "to_operator": "bob"}),
    (133, {"type": "pin", "dialog": 2, "operator": "bob", "pinned": True}),
    (134, {"type": "operator_message", "dialog": 2, "operator": "bob", "hidden": True}),
    (200, {"type": "presence", "operator": "ann", "status": "offline"}),
    (201, {"type": "presence", "operator": "bob", "status": "away"}),
    (202, {"type": "client_message", "line": "sales", "client": "c3"}),
    (400, None),
    (500, {"type": "client_message", "line": "support", "client": "c4"}),
    (501, {"type": "bot_handoff", "dialog": 4}),
    (502, {"type": "client_message", "line": "support", "client": "c5"}),
    (503, {"type": "bot_resolved", "dialog": 5}),
    (504, {"type": "client_message", "line": "night", "client": "c6"}),
    (505, {"type": "presence", "operator": "bob", "status": "online"}),
    (506, {"type": "skip", "dialog": 1, "operator": "bob"}),
    (507, {"type": "operator_message", "dialog": 2, "operator": "bob"}),
    (508, {"type": "close", "dialog": 2, "operator": "bob"}),
    (509, {"type": "rate", "dialog": 2, "score": 4}),
    (510, {"type": "set_operator", "operator": {"id": "dan", "max_dialogs": 2}}),
    (511, {"type": "set_line", "line": {"id": "vip", "queue": {"operators": ["dan"]}}}),
    (512, {"type": "client_message", "line": "vip", "client": "c7"}),
    (513, {"type": "accept", "dialog": 7, "operator": "dan"}),
    (514, {"type": "operator_message", "dialog": 7, "operator": "dan"}),
    (515, {"type": "forget_client", "client": "c5"}),
    (516, {"type": "tick"}),
    (4200, None),
]


def typed(step: Optional[dict[str, Any]]) -> Optional[openlines.Input]:
    """The same input built with the typed constructors (keyword arguments)."""
    if step is None:
        return None
    fields = {k: v for k, v in step.items() if k != "type"}
    cls = {
        "client_message": openlines.ClientMessage,
        "operator_message": openlines.OperatorMessage,
        "accept": openlines.Accept,
        "skip": openlines.Skip,
        "transfer": openlines.Transfer,
        "close": openlines.Close,
        "pin": openlines.Pin,
        "rate": openlines.Rate,
        "presence": openlines.Presence,
        "bot_handoff": openlines.BotHandoff,
        "bot_resolved": openlines.BotResolved,
        "set_line": openlines.SetLine,
        "set_operator": openlines.SetOperator,
        "forget_client": openlines.ForgetClient,
        "tick": openlines.Tick,
    }[step["type"]]
    return cls(**fields)  # type: ignore[no-any-return]


def run(engine: openlines.Engine, use_typed: bool) -> List[List[openlines.Action]]:
    out = []
    for seconds, step in STEPS:
        inp = typed(step) if use_typed else step
        if inp is None:
            out.append(engine.advance(at(seconds)))
        else:
            out.append(engine.handle(at(seconds), inp))
    return out
