"""Type names for type checkers: the shapes of the plain dicts openlines accepts and
returns, and the string values of its enumerations.

Everything here is an ordinary runtime object (``TypedDict`` classes and ``Literal``
aliases), so ``from openlines.types import DialogView`` works in annotations and at
runtime. Dict inputs are checked by the engine, not by these types: a dict that does
not fit raises ``openlines.InputError`` naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Literal, Mapping, Optional, TypedDict, Union

__all__ = [
    "ActionType",
    "InputType",
    "MessageKind",
    "WithdrawReason",
    "AssignReason",
    "QueueReason",
    "Kpi",
    "BotStopReason",
    "CloseReason",
    "PresenceStatus",
    "Distribution",
    "Decision",
    "Verdict",
    "ErrorKind",
    "JsonValue",
    "InputDict",
    "ConfigDict",
    "CrmLookupDict",
    "DialogStatsDict",
    "DialogView",
    "OperatorView",
    "QueueEntry",
    "QueueView",
    "LineStats",
    "ExplainEntry",
    "ExplainView",
]

#: The ``type`` tag of an action (DESIGN.md section 4).
ActionType = Literal[
    "dialog_opened",
    "send_message",
    "offer",
    "offer_withdrawn",
    "assigned",
    "queued",
    "mark_unanswered",
    "kpi_overdue",
    "bot_started",
    "bot_stopped",
    "create_lead",
    "send_form",
    "crm_responsible_changed",
    "dialog_closed",
]

#: The ``type`` tag of an input (DESIGN.md section 3).
InputType = Literal[
    "client_message",
    "operator_message",
    "accept",
    "skip",
    "transfer",
    "close",
    "pin",
    "rate",
    "presence",
    "bot_handoff",
    "bot_resolved",
    "set_line",
    "set_operator",
    "forget_client",
    "tick",
]

#: ``SendMessage.kind``.
MessageKind = Literal[
    "consent",
    "greeting",
    "off_hours",
    "nobody_available",
    "queue_position",
    "unanswered",
    "no_answer",
    "closing",
    "auto_close",
    "rating_request",
]
#: ``OfferWithdrawn.reason``.
WithdrawReason = Literal["timeout", "skipped", "taken", "unavailable"]
#: ``Assigned.reason``.
AssignReason = Literal["accepted", "crm_responsible", "previous_operator", "transfer", "assign_anyway"]
#: ``Queued.reason``.
QueueReason = Literal["nobody_available", "off_hours", "no_answer"]
#: ``KpiOverdue.kpi``.
Kpi = Literal["first_response", "next_response"]
#: ``BotStopped.reason``.
BotStopReason = Literal["handoff", "keyword", "timeout", "resolved"]
#: ``DialogClosed.reason``.
CloseReason = Literal["operator", "inactivity", "rated", "rating_window", "bot"]
#: ``Presence.status``.
PresenceStatus = Literal["online", "away", "break", "offline", "vacation", "dismissed"]
#: A line's ``queue.distribution``.
Distribution = Literal["evenly", "strict", "all", "least_busy", "longest_idle"]
#: ``ExplainView["decision"]``.
Decision = Literal[
    "offer",
    "crm_responsible",
    "previous_operator",
    "assign_anyway",
    "nobody_available",
    "no_answer",
    "off_hours",
]
#: ``ExplainEntry["verdict"]``.
Verdict = Literal[
    "chosen",
    "not_next_in_rotation",
    "unavailable",
    "dismissed",
    "at_capacity",
    "at_line_capacity",
    "skipped_this_cycle",
    "lacks_skill",
    "lacks_language",
    "not_considered",
]
#: ``openlines.Error.kind``.
ErrorKind = Literal[
    "invalid_config",
    "invalid_input",
    "unknown_line",
    "unknown_operator",
    "unknown_dialog",
    "not_allowed",
    "time_went_backwards",
    "snapshot_version",
]

#: Any value of JSON shape.
JsonValue = Union[None, bool, int, float, str, List[Any], Dict[str, Any]]

#: An input as a dict of the contract's JSON shape, e.g.
#: ``{"type": "accept", "dialog": 7, "operator": "ann"}``.
InputDict = Mapping[str, Any]

#: A config as a dict of the contract's JSON shape (DESIGN.md section 2).
ConfigDict = Mapping[str, Any]


class CrmLookupDict(TypedDict, total=False):
    """``ClientMessage.crm``: the host's CRM lookup."""

    found: bool
    responsible: Optional[str]


class DialogStatsDict(TypedDict):
    """``DialogStats.to_dict()`` and ``DialogView["stats"]``."""

    first_response_secs: Optional[int]
    avg_response_secs: Optional[int]
    max_response_secs: Optional[int]
    client_messages: int
    operator_messages: int
    rating: Optional[int]
    unanswered: bool


class DialogView(TypedDict):
    """``Engine.dialog(id)``: one open dialog."""

    dialog: int
    line: str
    client: str
    #: ``bot``, ``queued``, ``offered``, ``assigned`` or ``closing``.
    status: str
    #: For ``assigned``: ``awaiting_operator`` or ``answered``; for ``queued``: the reason.
    substatus: Optional[str]
    operator: Optional[str]
    offered_to: List[str]
    offer_expires_at: Optional[datetime]
    tried: List[str]
    priority: int
    pinned: bool
    opened_at: datetime
    stats: DialogStatsDict


class OperatorView(TypedDict):
    """``Engine.operator(id)``: one operator."""

    operator: str
    presence: PresenceStatus
    load: int
    max_dialogs: int
    line_load: Dict[str, int]
    dialogs: List[int]
    last_assigned_at: Optional[datetime]


class QueueEntry(TypedDict):
    """One waiting dialog in ``QueueView["waiting"]``."""

    dialog: int
    client: str
    priority: int
    reason: QueueReason
    since: datetime


class QueueView(TypedDict):
    """``Engine.queue(line)``: a line's waiting queue, in dispatch order."""

    line: str
    waiting: List[QueueEntry]
    operators: List[str]


class LineStats(TypedDict):
    """``Engine.stats(line)``: live counts and totals of a line."""

    line: str
    open: int
    bot: int
    queued: int
    offered: int
    assigned: int
    closing: int
    operator_load: Dict[str, int]
    closed: int
    avg_first_response_secs: Optional[float]
    max_first_response_secs: Optional[int]
    ratings: int
    avg_rating: Optional[float]
    unanswered_share: Optional[float]


class ExplainEntry(TypedDict):
    """One operator in ``ExplainView["operators"]``."""

    operator: str
    verdict: Verdict


class ExplainView(TypedDict):
    """``Engine.explain(id)``: why the last routing decision went as it did."""

    dialog: int
    at: datetime
    line: str
    distribution: Distribution
    decision: Decision
    operators: List[ExplainEntry]
