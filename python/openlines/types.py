"""Type names for type checkers: the shapes of the plain dicts openlines accepts and
returns, and the string values of its enumerations.

Everything here is an ordinary runtime object (``TypedDict`` classes and ``Literal``
aliases), so ``from openlines.types import DialogView`` works in annotations and at
runtime. The config and input dicts are ``TypedDict``s with ``Literal`` choices, so a
type checker flags a misspelt key (``"greting"``) or tag (``{"type": "acept"}``); at
run time the engine checks them again: a dict that does not fit raises
``openlines.ConfigError`` / ``openlines.InputError`` naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Literal, Optional, Sequence, TypedDict, Union

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
    "WhenNobodyAvailable",
    "LoadExclude",
    "NoAnswerAction",
    "CreateLeadPolicy",
    "OffHoursAction",
    "GreetingWhen",
    "ConfigDict",
    "OperatorDict",
    "LineDict",
    "QueueDict",
    "NoAnswerDict",
    "CrmDict",
    "ScheduleDict",
    "WeeklyDict",
    "OffHoursDict",
    "GreetingDict",
    "TextDict",
    "TimedTextDict",
    "RatingDict",
    "BotDict",
    "KpiDict",
    "QueuePositionDict",
    "LimitsDict",
    "InputDict",
    "ClientMessageDict",
    "OperatorMessageDict",
    "AcceptDict",
    "SkipDict",
    "TransferDict",
    "CloseDict",
    "PinDict",
    "RateDict",
    "PresenceDict",
    "BotHandoffDict",
    "BotResolvedDict",
    "SetLineDict",
    "SetOperatorDict",
    "ForgetClientDict",
    "TickDict",
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

#: The ``type`` tag of an action (docs/reference.md, "Actions").
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

#: The ``type`` tag of an input (docs/reference.md, "Inputs").
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

#: A line's ``queue.when_nobody_available``.
WhenNobodyAvailable = Literal["wait", "assign_anyway"]
#: An item of a line's ``queue.load_excludes``.
LoadExclude = Literal["answered", "closing"]
#: A line's ``queue.no_answer.action``.
NoAnswerAction = Literal["requeue", "send_text", "send_form", "nothing"]
#: A line's ``crm.create_lead``.
CreateLeadPolicy = Literal["auto", "manual", "never"]
#: A line's ``schedule.off_hours.action``.
OffHoursAction = Literal["send_text", "send_form", "nothing"]
#: A line's ``greeting.when`` and ``bot.when``.
GreetingWhen = Literal["first_contact", "every_dialog", "never"]

# ------------------------------------------------------------------- config dicts
# Every key but the ids is optional (docs/reference.md, "Config" gives the defaults). The
# required keys sit in a private base class so that this works on Python 3.9.


class _OperatorRequired(TypedDict):
    id: str


class OperatorDict(_OperatorRequired, total=False):
    """One item of ``operators``."""

    max_dialogs: int
    skills: List[str]
    languages: List[str]
    presence: PresenceStatus


class NoAnswerDict(TypedDict, total=False):
    """A line's ``queue.no_answer``."""

    action: NoAnswerAction
    text: str
    form: str
    retry_after_secs: int


class QueueDict(TypedDict, total=False):
    """A line's ``queue``."""

    operators: List[str]
    distribution: Distribution
    forward_after_secs: int
    check_availability: bool
    when_nobody_available: WhenNobodyAvailable
    max_dialogs: int
    load_excludes: List[LoadExclude]
    prefer_previous_operator: bool
    no_answer: NoAnswerDict


class CrmDict(TypedDict, total=False):
    """A line's ``crm``."""

    route_to_responsible: bool
    responsible_checks_availability: bool
    create_lead: CreateLeadPolicy
    change_responsible_on_transfer: bool


class WeeklyDict(TypedDict, total=False):
    """A schedule's ``weekly``: open intervals per weekday, each ``["09:00", "18:00"]``."""

    mon: List[Sequence[str]]
    tue: List[Sequence[str]]
    wed: List[Sequence[str]]
    thu: List[Sequence[str]]
    fri: List[Sequence[str]]
    sat: List[Sequence[str]]
    sun: List[Sequence[str]]


class OffHoursDict(TypedDict, total=False):
    """A schedule's ``off_hours``."""

    action: OffHoursAction
    text: str
    form: str


class ScheduleDict(TypedDict, total=False):
    """A line's ``schedule`` (working hours)."""

    timezone: str
    weekly: WeeklyDict
    holidays: List[str]
    off_hours: OffHoursDict
    hold_until_open: bool


class GreetingDict(TypedDict, total=False):
    """A line's ``greeting``."""

    when: GreetingWhen
    text: str


class TextDict(TypedDict, total=False):
    """A line's ``consent`` and ``closing``."""

    text: str


class TimedTextDict(TypedDict, total=False):
    """A line's ``unanswered`` and ``auto_close``."""

    after_secs: int
    text: str


class RatingDict(TypedDict, total=False):
    """A line's ``rating``."""

    enabled: bool
    text: str
    window_secs: int
    close_on_rating: bool
    during_dialog: bool


class BotDict(TypedDict, total=False):
    """A line's ``bot``."""

    id: str
    when: GreetingWhen
    handoff_after_secs: int
    handoff_keyword: str


class KpiDict(TypedDict, total=False):
    """A line's ``kpi``."""

    first_response_secs: int
    next_response_secs: int
    notify: List[str]
    text: str
    business_hours_only: bool


class QueuePositionDict(TypedDict, total=False):
    """A line's ``queue_position``: the waiting client's place in the queue."""

    text: str
    repeat_secs: int


class _LineRequired(TypedDict):
    id: str


class LineDict(_LineRequired, total=False):
    """One item of ``lines``."""

    active: bool
    queue: QueueDict
    crm: CrmDict
    schedule: Optional[ScheduleDict]
    greeting: GreetingDict
    consent: TextDict
    unanswered: TimedTextDict
    nobody_available_text: str
    auto_close: TimedTextDict
    closing: TextDict
    rating: RatingDict
    bot: BotDict
    kpi: KpiDict
    queue_position: QueuePositionDict


class LimitsDict(TypedDict, total=False):
    """The config's ``limits``."""

    max_id_len: int
    max_text_len: int
    max_operators: int
    max_lines: int
    max_open_dialogs: int
    max_skills: int


class ConfigDict(TypedDict, total=False):
    """A config as a dict of the contract's JSON shape (docs/reference.md, "Config")."""

    operators: List[OperatorDict]
    lines: List[LineDict]
    limits: LimitsDict
    forget_clients_after_days: int


# -------------------------------------------------------------------- input dicts


class CrmLookupDict(TypedDict, total=False):
    """``ClientMessage.crm``: the host's CRM lookup."""

    found: bool
    responsible: Optional[str]


class _ClientMessageRequired(TypedDict):
    type: Literal["client_message"]
    line: str
    client: str


class ClientMessageDict(_ClientMessageRequired, total=False):
    """``{"type": "client_message", ...}``: a client wrote to a line."""

    text: str
    channel: str
    can_reply: bool
    crm: CrmLookupDict
    priority: int
    language: str
    skills: List[str]


class _OperatorMessageRequired(TypedDict):
    type: Literal["operator_message"]
    dialog: int
    operator: str


class OperatorMessageDict(_OperatorMessageRequired, total=False):
    """``{"type": "operator_message", ...}``: an operator wrote in a dialog."""

    hidden: bool


class AcceptDict(TypedDict):
    """``{"type": "accept", ...}``: an operator accepts an offered dialog."""

    type: Literal["accept"]
    dialog: int
    operator: str


class SkipDict(TypedDict):
    """``{"type": "skip", ...}``: an operator skips a dialog."""

    type: Literal["skip"]
    dialog: int
    operator: str


class _TransferRequired(TypedDict):
    type: Literal["transfer"]
    dialog: int
    operator: str


class TransferDict(_TransferRequired, total=False):
    """``{"type": "transfer", ...}``: exactly one of ``to_operator`` and ``to_line``."""

    to_operator: Optional[str]
    to_line: Optional[str]


class CloseDict(TypedDict):
    """``{"type": "close", ...}``: the assigned operator closes the dialog."""

    type: Literal["close"]
    dialog: int
    operator: str


class _PinRequired(TypedDict):
    type: Literal["pin"]
    dialog: int
    operator: str


class PinDict(_PinRequired, total=False):
    """``{"type": "pin", ...}``: pin (or, with ``"pinned": False``, unpin) a dialog."""

    pinned: bool


class RateDict(TypedDict):
    """``{"type": "rate", ...}``: the client rates the dialog, 1 to 5."""

    type: Literal["rate"]
    dialog: int
    score: int


class PresenceDict(TypedDict):
    """``{"type": "presence", ...}``: an operator's presence changed."""

    type: Literal["presence"]
    operator: str
    status: PresenceStatus


class BotHandoffDict(TypedDict):
    """``{"type": "bot_handoff", ...}``: the host's bot asks for a human."""

    type: Literal["bot_handoff"]
    dialog: int


class BotResolvedDict(TypedDict):
    """``{"type": "bot_resolved", ...}``: the bot finished the dialog itself."""

    type: Literal["bot_resolved"]
    dialog: int


class SetLineDict(TypedDict):
    """``{"type": "set_line", ...}``: add or replace a line."""

    type: Literal["set_line"]
    line: LineDict


class SetOperatorDict(TypedDict):
    """``{"type": "set_operator", ...}``: add or replace an operator."""

    type: Literal["set_operator"]
    operator: OperatorDict


class ForgetClientDict(TypedDict):
    """``{"type": "forget_client", ...}``: erase what the engine keeps about a client."""

    type: Literal["forget_client"]
    client: str


class TickDict(TypedDict):
    """``{"type": "tick"}``: a clock tick."""

    type: Literal["tick"]


#: An input as a dict of the contract's JSON shape, e.g.
#: ``{"type": "accept", "dialog": 7, "operator": "ann"}``.
InputDict = Union[
    ClientMessageDict,
    OperatorMessageDict,
    AcceptDict,
    SkipDict,
    TransferDict,
    CloseDict,
    PinDict,
    RateDict,
    PresenceDict,
    BotHandoffDict,
    BotResolvedDict,
    SetLineDict,
    SetOperatorDict,
    ForgetClientDict,
    TickDict,
]


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
