"""Actions and inputs work with `match` (Python 3.10+; conftest skips this file on 3.9)."""

from __future__ import annotations

import openlines
from conftest import T0


def describe(action: openlines.Action) -> str:
    match action:
        case openlines.DialogOpened(dialog=d, client=c):
            return f"open {d} for {c}"
        case openlines.Offer(d, ops, when):
            return f"offer {d} to {','.join(ops)} until {when:%H:%M}"
        case openlines.Assigned(dialog=d, operator=op, reason="accepted"):
            return f"{op} took {d}"
        case _:
            return action.type


def test_match_on_actions(engine: openlines.Engine) -> None:
    out = engine.handle(T0, openlines.ClientMessage(line="sales", client="tg:1"))
    out += engine.handle(T0, openlines.Accept(dialog=1, operator="ann"))
    assert [describe(a) for a in out] == ["open 1 for tg:1", "offer 1 to ann until 09:01", "ann took 1"]


def test_match_on_inputs() -> None:
    match openlines.Transfer(dialog=3, operator="ann", to_line="support"):
        case openlines.Transfer(d, op, None, line):
            assert (d, op, line) == (3, "ann", "support")
        case _:
            raise AssertionError("no match")
