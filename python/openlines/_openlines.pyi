# Type stubs of the native module (bindings/python, pyo3). Checked against the built
# module by mypy's stubtest in python/run-tests.sh. Import from `openlines`.

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Literal, Union, final, overload

from typing_extensions import disjoint_base

from openlines._errors import Error
from openlines.types import (
    ActionType,
    AssignReason,
    BotStopReason,
    CloseReason,
    ConfigDict,
    CrmLookupDict,
    DialogStatsDict,
    DialogView,
    ExplainView,
    InputDict,
    InputType,
    Kpi,
    LineDict,
    LineStats,
    MessageKind,
    OperatorDict,
    OperatorView,
    PresenceStatus,
    QueueReason,
    QueueView,
    WithdrawReason,
)

__all__ = [
    "Accept",
    "Action",
    "Assigned",
    "BotHandoff",
    "BotResolved",
    "BotStarted",
    "BotStopped",
    "ClientMessage",
    "Close",
    "Config",
    "CreateLead",
    "CrmResponsibleChanged",
    "DialogClosed",
    "DialogOpened",
    "DialogStats",
    "Engine",
    "ForgetClient",
    "Input",
    "KpiOverdue",
    "MarkUnanswered",
    "Offer",
    "OfferWithdrawn",
    "OperatorMessage",
    "Pin",
    "Presence",
    "Queued",
    "Rate",
    "SNAPSHOT_VERSION",
    "SendForm",
    "SendMessage",
    "SetLine",
    "SetOperator",
    "Skip",
    "Tick",
    "Transfer",
    "__version__",
]

__version__: Final[str]
SNAPSHOT_VERSION: Final[int]

_InputLike = Union[Input, InputDict]
# Every action class: what handle/advance return (openlines.AnyAction), so that `match`
# with `assert_never` is checked for exhaustiveness and `a.type == "offer"` narrows.
_AnyAction = Union[
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
_Bytes = Union[bytes, bytearray, memoryview]

@final
class Config:
    """An engine config (docs/reference.md, "Config"), parsed and validated once."""

    def __new__(cls, data: Union[ConfigDict, str]) -> Config: ...
    @staticmethod
    def from_json(text: str) -> Config: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    @property
    def operators(self) -> list[dict[str, Any]]: ...
    @property
    def lines(self) -> list[dict[str, Any]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[builtins.type[Config], tuple[str]]: ...

@final
class Engine:
    """The routing engine of one tenant: its lines, operators and dialogs.

    A bug inside a call (a panic in the engine) raises ``openlines.InternalError`` and
    poisons the engine: every later call raises ``InternalError`` too.
    """

    def __new__(cls, config: Union[ConfigDict, str, Config]) -> Engine: ...
    def handle(self, at: datetime, input: _InputLike) -> list[_AnyAction]: ...
    def advance(self, at: datetime) -> list[_AnyAction]: ...
    @overload
    def handle_many(
        self,
        steps: Iterable[tuple[datetime, Union[_InputLike, None]]],
        *,
        errors: Literal["raise"] = "raise",
    ) -> list[list[_AnyAction]]: ...
    @overload
    def handle_many(
        self,
        steps: Iterable[tuple[datetime, Union[_InputLike, None]]],
        *,
        errors: Literal["return"],
    ) -> list[Union[list[_AnyAction], Error]]: ...
    def next_deadline(self) -> Union[datetime, None]: ...
    def now(self) -> Union[datetime, None]: ...
    def snapshot(self) -> bytes: ...
    @staticmethod
    def restore(data: _Bytes) -> Engine: ...
    def dialog(self, dialog: int) -> Union[DialogView, None]: ...
    def operator(self, operator: str) -> Union[OperatorView, None]: ...
    def queue(self, line: str) -> Union[QueueView, None]: ...
    def stats(self, line: str) -> Union[LineStats, None]: ...
    def explain(self, dialog: int) -> Union[ExplainView, None]: ...
    def open_dialogs(self) -> list[int]: ...
    def operator_ids(self) -> list[str]: ...
    def line_ids(self) -> list[str]: ...
    def __copy__(self) -> Engine: ...
    def __deepcopy__(self, memo: Any, /) -> Engine: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

# ----------------------------------------------------------------------- inputs

@disjoint_base
class Input:
    """Base class of the typed inputs."""

    @property
    def type(self) -> InputType: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_dict(data: InputDict) -> Input: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[builtins.type[Input], tuple[Any, ...]]: ...

@final
class ClientMessage(Input):
    __match_args__ = ("line", "client", "text", "channel", "can_reply", "crm", "priority", "language", "skills")
    def __new__(
        cls,
        line: str,
        client: str,
        text: str = "",
        channel: str = "",
        can_reply: bool = True,
        crm: Union[CrmLookupDict, Mapping[str, Any], None] = None,
        priority: int = 0,
        language: str = "",
        skills: Sequence[str] = (),
    ) -> ClientMessage: ...
    @property
    def type(self) -> Literal["client_message"]: ...
    @property
    def line(self) -> str: ...
    @property
    def client(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def channel(self) -> str: ...
    @property
    def can_reply(self) -> bool: ...
    @property
    def crm(self) -> Union[CrmLookupDict, None]: ...
    @property
    def priority(self) -> int: ...
    @property
    def language(self) -> str: ...
    @property
    def skills(self) -> list[str]: ...

@final
class OperatorMessage(Input):
    __match_args__ = ("dialog", "operator", "hidden")
    def __new__(cls, dialog: int, operator: str, hidden: bool = False) -> OperatorMessage: ...
    @property
    def type(self) -> Literal["operator_message"]: ...
    @property
    def dialog(self) -> int: ...
    @property
    def operator(self) -> str: ...
    @property
    def hidden(self) -> bool: ...

@final
class Accept(Input):
    __match_args__ = ("dialog", "operator")
    def __new__(cls, dialog: int, operator: str) -> Accept: ...
    @property
    def type(self) -> Literal["accept"]: ...
    @property
    def dialog(self) -> int: ...
    @property
    def operator(self) -> str: ...

@final
class Skip(Input):
    __match_args__ = ("dialog", "operator")
    def __new__(cls, dialog: int, operator: str) -> Skip: ...
    @property
    def type(self) -> Literal["skip"]: ...
    @property
    def dialog(self) -> int: ...
    @property
    def operator(self) -> str: ...

@final
class Transfer(Input):
    __match_args__ = ("dialog", "operator", "to_operator", "to_line")
    def __new__(
        cls,
        dialog: int,
        operator: str,
        to_operator: Union[str, None] = None,
        to_line: Union[str, None] = None,
    ) -> Transfer: ...
    @property
    def type(self) -> Literal["transfer"]: ...
    @property
    def dialog(self) -> int: ...
    @property
    def operator(self) -> str: ...
    @property
    def to_operator(self) -> Union[str, None]: ...
    @property
    def to_line(self) -> Union[str, None]: ...

@final
class Close(Input):
    __match_args__ = ("dialog", "operator")
    def __new__(cls, dialog: int, operator: str) -> Close: ...
    @property
    def type(self) -> Literal["close"]: ...
    @property
    def dialog(self) -> int: ...
    @property
    def operator(self) -> str: ...

@final
class Pin(Input):
    __match_args__ = ("dialog", "operator", "pinned")
    def __new__(cls, dialog: int, operator: str, pinned: bool = True) -> Pin: ...
    @property
    def type(self) -> Literal["pin"]: ...
    @property
    def dialog(self) -> int: ...
    @property
    def operator(self) -> str: ...
    @property
    def pinned(self) -> bool: ...

@final
class Rate(Input):
    __match_args__ = ("dialog", "score")
    def __new__(cls, dialog: int, score: int) -> Rate: ...
    @property
    def type(self) -> Literal["rate"]: ...
    @property
    def dialog(self) -> int: ...
    @property
    def score(self) -> int: ...

@final
class Presence(Input):
    __match_args__ = ("operator", "status")
    def __new__(cls, operator: str, status: PresenceStatus) -> Presence: ...
    @property
    def type(self) -> Literal["presence"]: ...
    @property
    def operator(self) -> str: ...
    @property
    def status(self) -> PresenceStatus: ...

@final
class BotHandoff(Input):
    __match_args__ = ("dialog",)
    def __new__(cls, dialog: int) -> BotHandoff: ...
    @property
    def type(self) -> Literal["bot_handoff"]: ...
    @property
    def dialog(self) -> int: ...

@final
class BotResolved(Input):
    __match_args__ = ("dialog",)
    def __new__(cls, dialog: int) -> BotResolved: ...
    @property
    def type(self) -> Literal["bot_resolved"]: ...
    @property
    def dialog(self) -> int: ...

@final
class SetLine(Input):
    __match_args__ = ("line",)
    def __new__(cls, line: LineDict) -> SetLine: ...
    @property
    def type(self) -> Literal["set_line"]: ...
    @property
    def line(self) -> dict[str, Any]: ...

@final
class SetOperator(Input):
    __match_args__ = ("operator",)
    def __new__(cls, operator: OperatorDict) -> SetOperator: ...
    @property
    def type(self) -> Literal["set_operator"]: ...
    @property
    def operator(self) -> dict[str, Any]: ...

@final
class ForgetClient(Input):
    __match_args__ = ("client",)
    def __new__(cls, client: str) -> ForgetClient: ...
    @property
    def type(self) -> Literal["forget_client"]: ...
    @property
    def client(self) -> str: ...

@final
class Tick(Input):
    __match_args__ = ()
    def __new__(cls) -> Tick: ...
    @property
    def type(self) -> Literal["tick"]: ...

# ---------------------------------------------------------------------- actions

@disjoint_base
class Action:
    """Base class of every action the engine returns."""

    @property
    def type(self) -> ActionType: ...
    @property
    def dialog(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Action: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[builtins.type[Action], tuple[Any, ...]]: ...

@final
class DialogStats:
    """Response statistics of one closed dialog."""

    __match_args__ = ("first_response_secs", "avg_response_secs", "max_response_secs", "client_messages", "operator_messages", "rating", "unanswered")
    def __new__(
        cls,
        first_response_secs: Union[int, None] = None,
        avg_response_secs: Union[int, None] = None,
        max_response_secs: Union[int, None] = None,
        client_messages: int = 0,
        operator_messages: int = 0,
        rating: Union[int, None] = None,
        unanswered: bool = False,
    ) -> DialogStats: ...
    @property
    def first_response_secs(self) -> Union[int, None]: ...
    @property
    def avg_response_secs(self) -> Union[int, None]: ...
    @property
    def max_response_secs(self) -> Union[int, None]: ...
    @property
    def client_messages(self) -> int: ...
    @property
    def operator_messages(self) -> int: ...
    @property
    def rating(self) -> Union[int, None]: ...
    @property
    def unanswered(self) -> bool: ...
    def to_dict(self) -> DialogStatsDict: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[builtins.type[DialogStats], tuple[Any, ...]]: ...

@final
class DialogOpened(Action):
    __match_args__ = ("dialog", "line", "client")
    def __new__(cls, dialog: int, line: str, client: str) -> DialogOpened: ...
    @property
    def type(self) -> Literal["dialog_opened"]: ...
    @property
    def line(self) -> str: ...
    @property
    def client(self) -> str: ...

@final
class SendMessage(Action):
    __match_args__ = ("dialog", "kind", "text")
    def __new__(cls, dialog: int, kind: MessageKind, text: str) -> SendMessage: ...
    @property
    def type(self) -> Literal["send_message"]: ...
    @property
    def kind(self) -> MessageKind: ...
    @property
    def text(self) -> str: ...

@final
class Offer(Action):
    __match_args__ = ("dialog", "operators", "expires_at")
    def __new__(cls, dialog: int, operators: Sequence[str], expires_at: datetime) -> Offer: ...
    @property
    def type(self) -> Literal["offer"]: ...
    @property
    def operators(self) -> list[str]: ...
    @property
    def expires_at(self) -> datetime: ...

@final
class OfferWithdrawn(Action):
    __match_args__ = ("dialog", "operator", "reason")
    def __new__(cls, dialog: int, operator: str, reason: WithdrawReason) -> OfferWithdrawn: ...
    @property
    def type(self) -> Literal["offer_withdrawn"]: ...
    @property
    def operator(self) -> str: ...
    @property
    def reason(self) -> WithdrawReason: ...

@final
class Assigned(Action):
    __match_args__ = ("dialog", "operator", "reason")
    def __new__(cls, dialog: int, operator: str, reason: AssignReason) -> Assigned: ...
    @property
    def type(self) -> Literal["assigned"]: ...
    @property
    def operator(self) -> str: ...
    @property
    def reason(self) -> AssignReason: ...

@final
class Queued(Action):
    __match_args__ = ("dialog", "reason")
    def __new__(cls, dialog: int, reason: QueueReason) -> Queued: ...
    @property
    def type(self) -> Literal["queued"]: ...
    @property
    def reason(self) -> QueueReason: ...

@final
class MarkUnanswered(Action):
    __match_args__ = ("dialog",)
    def __new__(cls, dialog: int) -> MarkUnanswered: ...
    @property
    def type(self) -> Literal["mark_unanswered"]: ...

@final
class KpiOverdue(Action):
    __match_args__ = ("dialog", "operator", "kpi", "notify", "text")
    def __new__(
        cls,
        dialog: int,
        operator: Union[str, None],
        kpi: Kpi,
        notify: Sequence[str],
        text: str,
    ) -> KpiOverdue: ...
    @property
    def type(self) -> Literal["kpi_overdue"]: ...
    @property
    def operator(self) -> Union[str, None]: ...
    @property
    def kpi(self) -> Kpi: ...
    @property
    def notify(self) -> list[str]: ...
    @property
    def text(self) -> str: ...

@final
class BotStarted(Action):
    __match_args__ = ("dialog", "bot")
    def __new__(cls, dialog: int, bot: str) -> BotStarted: ...
    @property
    def type(self) -> Literal["bot_started"]: ...
    @property
    def bot(self) -> str: ...

@final
class BotStopped(Action):
    __match_args__ = ("dialog", "reason")
    def __new__(cls, dialog: int, reason: BotStopReason) -> BotStopped: ...
    @property
    def type(self) -> Literal["bot_stopped"]: ...
    @property
    def reason(self) -> BotStopReason: ...

@final
class CreateLead(Action):
    __match_args__ = ("dialog", "client", "channel")
    def __new__(cls, dialog: int, client: str, channel: str) -> CreateLead: ...
    @property
    def type(self) -> Literal["create_lead"]: ...
    @property
    def client(self) -> str: ...
    @property
    def channel(self) -> str: ...

@final
class SendForm(Action):
    __match_args__ = ("dialog", "form")
    def __new__(cls, dialog: int, form: str) -> SendForm: ...
    @property
    def type(self) -> Literal["send_form"]: ...
    @property
    def form(self) -> str: ...

@final
class CrmResponsibleChanged(Action):
    __match_args__ = ("dialog", "operator")
    def __new__(cls, dialog: int, operator: str) -> CrmResponsibleChanged: ...
    @property
    def type(self) -> Literal["crm_responsible_changed"]: ...
    @property
    def operator(self) -> str: ...

@final
class DialogClosed(Action):
    __match_args__ = ("dialog", "reason", "stats")
    def __new__(
        cls,
        dialog: int,
        reason: CloseReason,
        stats: Union[DialogStats, DialogStatsDict, Mapping[str, Any]],
    ) -> DialogClosed: ...
    @property
    def type(self) -> Literal["dialog_closed"]: ...
    @property
    def reason(self) -> CloseReason: ...
    @property
    def stats(self) -> DialogStats: ...
