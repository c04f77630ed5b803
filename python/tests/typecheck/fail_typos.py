"""Must FAIL ``mypy --strict`` on exactly the lines marked ``# error``."""

from datetime import datetime, timezone

from typing_extensions import assert_never

import openlines
from openlines.types import ConfigDict

t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
engine = openlines.Engine({"lines": [{"id": "sales", "greting": {"text": "hi"}}]})  # error
engine.handle(t, {"type": "acept", "dialog": 1, "operator": "ann"})  # error
engine.handle(t, {"type": "accept", "dialog": "1", "operator": "ann"})  # error
bad: ConfigDict = {"lines": [{"id": "s", "queue": {"distribution": "evenlyy"}}]}  # error
no_id: ConfigDict = {"operators": [{"max_dialogs": 3}]}  # error
engine.advance(engine.next_deadline())  # error


def forgets_one(action: openlines.AnyAction) -> str:
    match action:
        case openlines.Offer():
            return "offer"
        case _:
            assert_never(action)  # error
