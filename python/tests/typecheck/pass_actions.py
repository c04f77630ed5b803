"""Must pass ``mypy --strict``: every action class handled, checked by assert_never,
and ``a.type == "..."`` narrowing to the action's class."""

from datetime import datetime, timezone

from typing_extensions import assert_never

import openlines
from openlines.types import ConfigDict, InputDict


def describe(action: openlines.AnyAction) -> str:
    match action:
        case openlines.DialogOpened(dialog=d, line=line):
            return f"{d} opened in {line}"
        case openlines.SendMessage(text=text):
            return text
        case openlines.Offer(operators=ops):
            return ", ".join(ops)
        case openlines.OfferWithdrawn():
            return "withdrawn"
        case openlines.Assigned(operator=op):
            return op
        case openlines.Queued():
            return "queued"
        case openlines.MarkUnanswered():
            return "unanswered"
        case openlines.KpiOverdue():
            return "overdue"
        case openlines.BotStarted():
            return "bot"
        case openlines.BotStopped():
            return "human"
        case openlines.CreateLead():
            return "lead"
        case openlines.SendForm():
            return "form"
        case openlines.CrmResponsibleChanged():
            return "responsible"
        case openlines.DialogClosed():
            return "closed"
        case _:
            assert_never(action)


def offered_to(action: openlines.AnyAction) -> list[str]:
    if action.type == "offer":
        return action.operators
    return []


config: ConfigDict = {
    "operators": [{"id": "ann", "presence": "online"}],
    "lines": [
        {
            "id": "sales",
            "queue": {"operators": ["ann"], "distribution": "least_busy"},
            "schedule": {"timezone": "Europe/Berlin", "weekly": {"mon": [["09:00", "18:00"]]}},
            "queue_position": {"text": "Please wait, you are in the queue", "repeat_secs": 60},
        }
    ],
}
inputs: list[InputDict] = [
    {"type": "client_message", "line": "sales", "client": "tg:42", "crm": {"found": False}},
    {"type": "accept", "dialog": 1, "operator": "ann"},
    {"type": "presence", "operator": "ann", "status": "away"},
    {"type": "tick"},
]
engine = openlines.Engine(config)
t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
for item in inputs:
    for action in engine.handle(t, item):
        print(describe(action), offered_to(action))
try:
    openlines.Engine({"lines": [{"id": ""}]})
except openlines.ConfigError as e:
    for detail in e.errors():
        print(detail["loc"], detail["msg"], detail["type"])
