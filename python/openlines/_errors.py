"""Exceptions raised by openlines.

Every error the engine reports is an :class:`Error` with a stable ``kind`` (the
contract's error kind, e.g. ``"unknown_dialog"``) and a ``message`` a person can act
on. A rejected input changes nothing itself; time is committed, so the timers due by
its time have fired, and their actions are in the error's ``actions``.
"""

from __future__ import annotations

from typing import Any, Optional, TypedDict, Union

__all__ = [
    "ErrorDetails",
    "Error",
    "ConfigError",
    "InputError",
    "UnknownIdError",
    "NotAllowedError",
    "TimeError",
    "SnapshotError",
    "InternalError",
]


class ErrorDetails(TypedDict):
    """One problem of a config (or of an input that could not be read), in the shape
    pydantic's ``ValidationError.errors()`` made familiar.

    ``loc`` is the field path as names and list positions, e.g.
    ``("lines", 0, "queue", "distribution")`` (``()`` for the text as a whole); ``msg``
    says what is wrong and what is expected; ``type`` is a stable kind: ``syntax``,
    ``unknown_field``, ``missing_field``, ``invalid_type``, ``invalid_value``,
    ``out_of_range``, ``duplicate`` or ``unknown_reference``.
    """

    loc: tuple[Union[str, int], ...]
    msg: str
    type: str


class Error(Exception):
    """Base class of every error the engine reports.

    Attributes:
        kind: the contract's error kind: ``invalid_config``, ``invalid_input``,
            ``unknown_line``, ``unknown_operator``, ``unknown_dialog``, ``not_allowed``,
            ``time_went_backwards`` or ``snapshot_version``.
        message: what went wrong, naming the field or id.
        index: for errors raised by ``Engine.handle_many``, the position of the
            rejected step; otherwise ``None``.
        actions: for a rejected ``handle``/``advance``/``handle_many`` step, the actions
            of the timers that fired before the input was refused (carry them out);
            otherwise empty.
        results: for errors raised by ``Engine.handle_many``, the action lists of the
            steps applied before the rejected one; otherwise ``None``.
    """

    #: The kind used when none is given to the constructor.
    default_kind: str = "invalid_input"

    kind: str
    message: str
    index: Optional[int] = None
    actions: list[Any]
    results: Optional[list[list[Any]]] = None

    def __init__(
        self,
        message: str,
        kind: Optional[str] = None,
        errors: Optional[list[ErrorDetails]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind if kind is not None else self.default_kind
        self.actions = []
        self._errors: list[ErrorDetails] = list(errors) if errors is not None else []

    def errors(self) -> list[ErrorDetails]:
        """Every problem of an invalid config, or the one problem of an input that could
        not be read, each as ``{"loc": ..., "msg": ..., "type": ...}`` (see
        :class:`ErrorDetails`); empty for other errors. A new list on each call."""
        return [
            {"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in self._errors
        ]

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, kind={self.kind!r})"

    def __reduce__(
        self,
    ) -> tuple[type[Error], tuple[str, str, list[ErrorDetails]]]:
        return (type(self), (self.message, self.kind, self._errors))


class ConfigError(Error, ValueError):
    """The config is malformed or inconsistent (kind ``invalid_config``).

    The message lists every problem with its field path, separated by ``"; "``;
    :meth:`errors` lists them one by one, e.g. ``[{"loc": ("lines", 0, "queue",
    "distribution"), "msg": '"evenlyy" is not one of evenly, strict, all, least_busy,
    longest_idle', "type": "invalid_value"}]``.
    """

    default_kind = "invalid_config"


class InputError(Error, ValueError):
    """The input is malformed: a missing field, a bad value, over a limit, or a naive
    ``datetime`` (kind ``invalid_input``)."""

    default_kind = "invalid_input"


class UnknownIdError(Error, LookupError):
    """The input names a line, operator or dialog that does not exist (kind
    ``unknown_line``, ``unknown_operator`` or ``unknown_dialog``)."""

    default_kind = "unknown_dialog"


class NotAllowedError(Error):
    """The input is well-formed but not allowed now: not the operator's dialog, a closed
    dialog, ... (kind ``not_allowed``)."""

    default_kind = "not_allowed"


class TimeError(Error, ValueError):
    """The input's time is earlier than the engine's current time (kind
    ``time_went_backwards``)."""

    default_kind = "time_went_backwards"


class SnapshotError(Error, ValueError):
    """Snapshot bytes cannot be restored: another version, or corrupt (kind
    ``snapshot_version``)."""

    default_kind = "snapshot_version"


class InternalError(Error):
    """A bug inside the engine (a Rust panic), never a rejection of the call (kind
    ``internal``, which is no contract error kind).

    The engine that raised it is poisoned: it may hold a half-changed state, so every
    later call on it raises ``InternalError("the engine is poisoned ...")``. Drop it
    and restore from your last snapshot (replaying the input log written after it).
    Please report the message.
    """

    default_kind = "internal"
