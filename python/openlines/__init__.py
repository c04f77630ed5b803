"""openlines: a pure, I/O-free routing engine for customer chat "open lines".

The engine decides which operator gets a client's dialog and which automatic messages
and marks the dialog gets. It never reads a clock, sleeps or does I/O: you feed it
timed inputs and carry out the actions it returns. Same config + same timed inputs =>
same actions.

Quick start::

    from datetime import datetime, timezone
    import openlines

    engine = openlines.Engine({
        "operators": [{"id": "ann"}, {"id": "bob"}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"]}}],
    })
    t = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    for action in engine.handle(t, openlines.ClientMessage(line="sales", client="tg:42")):
        match action:
            case openlines.Offer(dialog=d, operators=ops):
                ...                              # show the dialog to ops
        print(action.to_dict())
    deadline = engine.next_deadline()            # call engine.advance(deadline) then

Inputs are typed classes (``ClientMessage``, ``Accept``, ``Presence``, ...) or plain
dicts of the JSON shape in docs/reference.md, "Inputs"; actions are typed frozen classes
(``Offer``, ``Assigned``, ...; base class ``Action``). Errors are subclasses of
``openlines.Error``. See ``help(openlines.Engine)``.
"""

from __future__ import annotations

from typing import Union

from openlines._errors import (
    ConfigError,
    Error,
    ErrorDetails,
    InputError,
    InternalError,
    NotAllowedError,
    SnapshotError,
    TimeError,
    UnknownIdError,
)
from openlines._openlines import (
    SNAPSHOT_VERSION,
    Accept,
    Action,
    Assigned,
    BotHandoff,
    BotResolved,
    BotStarted,
    BotStopped,
    ClientMessage,
    Close,
    Config,
    CreateLead,
    CrmResponsibleChanged,
    DialogClosed,
    DialogOpened,
    DialogStats,
    Engine,
    ForgetClient,
    Input,
    KpiOverdue,
    MarkUnanswered,
    Offer,
    OfferWithdrawn,
    OperatorMessage,
    Pin,
    Presence,
    Queued,
    Rate,
    SendForm,
    SendMessage,
    SetLine,
    SetOperator,
    Skip,
    Tick,
    Transfer,
    __version__,
)
from openlines.types import InputDict

#: What ``Engine.handle`` accepts as an input: a typed input or a dict of JSON shape.
InputLike = Union[Input, InputDict]

#: Every action class: what ``Engine.handle`` and ``Engine.advance`` return a list of.
#: The classes are final, so a ``match`` over them ending in ``assert_never`` is checked
#: for exhaustiveness, and ``if a.type == "offer":`` narrows ``a`` to ``Offer``.
AnyAction = Union[
    DialogOpened,
    SendMessage,
    Offer,
    OfferWithdrawn,
    Assigned,
    Queued,
    MarkUnanswered,
    KpiOverdue,
    BotStarted,
    BotStopped,
    CreateLead,
    SendForm,
    CrmResponsibleChanged,
    DialogClosed,
]

__all__ = [
    "__version__",
    "SNAPSHOT_VERSION",
    "Engine",
    "Config",
    "InputLike",
    "AnyAction",
    # errors
    "Error",
    "ErrorDetails",
    "ConfigError",
    "InputError",
    "UnknownIdError",
    "NotAllowedError",
    "TimeError",
    "SnapshotError",
    "InternalError",
    # inputs
    "Input",
    "ClientMessage",
    "OperatorMessage",
    "Accept",
    "Skip",
    "Transfer",
    "Close",
    "Pin",
    "Rate",
    "Presence",
    "BotHandoff",
    "BotResolved",
    "SetLine",
    "SetOperator",
    "ForgetClient",
    "Tick",
    # actions
    "Action",
    "DialogOpened",
    "SendMessage",
    "Offer",
    "OfferWithdrawn",
    "Assigned",
    "Queued",
    "MarkUnanswered",
    "KpiOverdue",
    "BotStarted",
    "BotStopped",
    "CreateLead",
    "SendForm",
    "CrmResponsibleChanged",
    "DialogClosed",
    "DialogStats",
]
