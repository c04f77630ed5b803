"""Every exception path: engine error kinds, wrong Python types, hostile values."""

from __future__ import annotations

import pickle
from datetime import datetime
from typing import Any

import pytest

import openlines
from conftest import T0, at, basic_config

ERROR_CLASSES = {
    "invalid_config": openlines.ConfigError,
    "invalid_input": openlines.InputError,
    "unknown_line": openlines.UnknownIdError,
    "unknown_operator": openlines.UnknownIdError,
    "unknown_dialog": openlines.UnknownIdError,
    "not_allowed": openlines.NotAllowedError,
    "time_went_backwards": openlines.TimeError,
    "snapshot_version": openlines.SnapshotError,
}


def raises_kind(kind: str, fn: Any, *args: Any) -> openlines.Error:
    with pytest.raises(ERROR_CLASSES[kind]) as info:
        fn(*args)
    err = info.value
    assert isinstance(err, openlines.Error)
    assert err.kind == kind
    assert err.message and str(err) == err.message
    assert err.index is None
    return err


def test_hierarchy() -> None:
    for cls in set(ERROR_CLASSES.values()):
        assert issubclass(cls, openlines.Error)
    assert issubclass(openlines.ConfigError, ValueError)
    assert issubclass(openlines.InputError, ValueError)
    assert issubclass(openlines.UnknownIdError, LookupError)
    err = openlines.InputError("x: bad")
    assert err.kind == "invalid_input" and repr(err) == "InputError('x: bad', kind='invalid_input')"
    again = pickle.loads(pickle.dumps(openlines.UnknownIdError("no line", "unknown_line")))
    assert again.kind == "unknown_line" and again.message == "no line"


def test_config_errors() -> None:
    err = raises_kind("invalid_config", openlines.Engine,
                      {"lines": [{"id": "s", "queue": {"distribution": "evenlyy"}}]})
    # before: unknown value "evenlyy", expected one of ...
    assert err.message.startswith("lines[0].queue.distribution: \"evenlyy\" is not one of evenly, strict")
    err = raises_kind("invalid_config", openlines.Config,
                      {"operators": [{"id": "a"}, {"id": "a"}], "lines": [{"id": "s", "queue": {"operators": ["zz"]}}]})
    assert "duplicate operator id" in err.message and "zz" in err.message
    raises_kind("invalid_config", openlines.Engine, "{not json")
    raises_kind("invalid_config", openlines.Config.from_json, '"sales"')
    err = raises_kind("invalid_config", openlines.Engine, {"lines": [{"id": "s", "active": float("nan")}]})
    assert err.message.startswith("lines[0].active")


def test_config_error_details_in_pydantics_shape() -> None:
    config = {
        "operators": [{"id": "ann", "max_dialogs": "3", "skils": []}],
        "lines": [{"id": "s", "queue": {"operators": ["ann", "bob"], "forward_after_secs": 0}}],
    }
    err = raises_kind("invalid_config", openlines.Engine, config)
    # Every problem at once (before: only the first, max_dialogs), structural then semantic.
    assert err.errors() == [
        {"loc": ("operators", 0, "max_dialogs"), "msg": '"3" is not a whole number (0 or more)',
         "type": "invalid_type"},
        {"loc": ("operators", 0, "skils"),
         "msg": 'unknown field "skils", expected one of id, max_dialogs, skills, languages, presence',
         "type": "unknown_field"},
        {"loc": ("lines", 0, "queue", "operators", 1), "msg": 'unknown operator "bob" (not in operators)',
         "type": "unknown_reference"},
        {"loc": ("lines", 0, "queue", "forward_after_secs"), "msg": "must be at least 1 (got 0)",
         "type": "out_of_range"},
    ]
    assert err.message.startswith('operators[0].max_dialogs: "3" is not a whole number (0 or more); ')
    assert err.message.endswith("; lines[0].queue.forward_after_secs: must be at least 1 (got 0)")
    # A copy each time; kept by pickling.
    err.errors().clear()
    assert len(err.errors()) == 4
    assert pickle.loads(pickle.dumps(err)).errors() == err.errors()
    # JSON text: syntax errors with line and column at the root; a byte order mark is fine.
    err = raises_kind("invalid_config", openlines.Engine, '{"lines": [\n  {"id": "s",}\n]}')
    assert err.errors() == [{"loc": (), "msg": "line 2, column 14: trailing comma", "type": "syntax"}]
    assert openlines.Config("\ufeff" + '{"lines": [{"id": "s"}]}').lines[0]["id"] == "s"


def test_input_error_details(engine: openlines.Engine) -> None:
    err = raises_kind("invalid_input", engine.handle, T0, {"type": "acept", "dialog": 1, "operator": "ann"})
    assert err.errors()[0]["loc"] == ("type",)
    assert err.errors()[0]["msg"].startswith('"acept" is not one of client_message, operator_message, accept,')
    err = raises_kind("invalid_input", engine.handle, T0,
                      {"type": "set_line", "line": {"id": "s", "rating": {"window_secs": -5}}})
    assert err.errors() == [{"loc": ("line", "rating", "window_secs"),
                             "msg": "-5 is not a whole number of seconds", "type": "out_of_range"}]
    err = raises_kind("unknown_dialog", engine.handle, T0, {"type": "accept", "dialog": 9, "operator": "ann"})
    assert err.errors() == []
def crc32c(data: bytes) -> int:
    """CRC-32C, bit by bit (the snapshot checksum)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_engine_error_kinds(engine: openlines.Engine) -> None:
    engine.handle(T0, {"type": "client_message", "line": "sales", "client": "a"})
    engine.advance(at(1))  # the refusals below change nothing, not even the clock
    before = engine.snapshot()
    raises_kind("unknown_line", engine.handle, at(1), {"type": "client_message", "line": "x", "client": "a"})
    raises_kind("unknown_operator", engine.handle, at(1), openlines.Presence(operator="zed", status="away"))
    raises_kind("unknown_dialog", engine.handle, at(1), openlines.Accept(dialog=42, operator="ann"))
    raises_kind("not_allowed", engine.handle, at(1), openlines.Close(dialog=1, operator="bob"))
    raises_kind("invalid_input", engine.handle, at(1), {"type": "rate", "dialog": 1, "score": 9})
    raises_kind("invalid_input", engine.handle, at(1), {"type": "wave"})
    raises_kind("invalid_input", engine.handle, at(1), {"type": "accept", "dialog": 1})
    raises_kind("invalid_input", engine.handle, at(1), {"type": "accept", "dialog": 1, "operator": "ann", "x": 1})
    raises_kind("time_went_backwards", engine.handle, at(-1), {"type": "tick"})
    raises_kind("time_went_backwards", engine.advance, at(-1))
    raises_kind("snapshot_version", openlines.Engine.restore, b"garbage")
    # Snapshot bytes: b"OLSN", the encoding version, the snapshot version (a varint), the
    # state, a CRC-32C of everything before it.
    assert before[:4] == b"OLSN" and before[5] == openlines.SNAPSHOT_VERSION
    other = before[:5] + bytes([99]) + before[6:-4]
    err = raises_kind("snapshot_version", openlines.Engine.restore, other + before[-4:])
    assert "checksum does not match" in err.message
    err = raises_kind("snapshot_version", openlines.Engine.restore, other + crc32c(other).to_bytes(4, "little"))
    assert "99" in err.message
    assert engine.snapshot() == before  # nothing changed


def test_input_error_names_the_field(engine: openlines.Engine) -> None:
    err = raises_kind("invalid_input", engine.handle, T0, {"type": "accept", "dialog": "7", "operator": "ann"})
    assert err.message.startswith("dialog:")
    err = raises_kind("invalid_input", engine.handle, T0, {"type": "presence", "operator": "ann", "status": "asleep"})
    assert err.message.startswith("status:") and "online" in err.message
    err = raises_kind("invalid_input", openlines.Presence, "ann", "asleep")
    assert err.message.startswith("status:")
    err = raises_kind("invalid_input", openlines.Accept, -1, "ann")
    assert err.message.startswith("dialog:")
    err = raises_kind("invalid_input", openlines.SetLine, {"id": "x", "queue": {"distribution": 3}})
    assert err.message.startswith("line")


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: openlines.Accept(dialog="7", operator="ann"), "Accept.dialog: expected int, got str"),
        (lambda: openlines.Accept(dialog=True, operator="ann"), "Accept.dialog: expected int, got bool"),
        (lambda: openlines.Accept(dialog=7, operator=5), "Accept.operator: expected str, got int"),
        (lambda: openlines.Accept(dialog=7, operator=None), "Accept.operator: a value is required"),
        (lambda: openlines.ClientMessage(line="s", client="c", skills="vip"), "ClientMessage.skills: expected a list of str, got str"),
        (lambda: openlines.ClientMessage(line="s", client="c", skills=["a", 1]), "ClientMessage.skills[1]: expected str, got int"),
        (lambda: openlines.ClientMessage(line="s", client="c", crm=[1]), "ClientMessage.crm: expected a dict or None, got list"),
        (lambda: openlines.ClientMessage(line="s", client="c", can_reply=1), "ClientMessage.can_reply: expected bool, got int"),
        (lambda: openlines.Transfer(dialog=1, operator="a", to_line=3), "Transfer.to_line: expected str or None, got int"),
        (lambda: openlines.SetOperator(operator="dan"), "SetOperator.operator: expected a dict, got str"),
        (lambda: openlines.Offer(dialog=1, operators=["a"], expires_at="2026-01-01"), "Offer.expires_at: expected an aware datetime.datetime, got str"),
        (lambda: openlines.DialogClosed(dialog=1, reason="bot", stats=3), "DialogClosed.stats: expected a DialogStats or a dict, got int"),
        (lambda: openlines.Engine(42), "config: expected a dict, a JSON str or an openlines.Config, got int"),
        (lambda: openlines.Engine(basic_config()).handle(T0, 42), "input: expected a dict"),
        (lambda: openlines.Engine(basic_config()).handle(T0, None), "input: expected a dict"),
        (lambda: openlines.Engine(basic_config()).handle("2026-11-23T09:00:00Z", {"type": "tick"}), "at: expected an aware datetime.datetime, got str"),
        (lambda: openlines.Engine(basic_config()).advance(1700000000), "at: expected an aware datetime.datetime, got int"),
        (lambda: openlines.Engine(basic_config()).handle(T0, {"type": "tick", "x": {1, 2}}), "x: expected a JSON-compatible value"),
        (lambda: openlines.Engine(basic_config()).handle(T0, {"type": "client_message", "line": "sales", "client": "c", "skills": [object()]}), "skills[0]: expected a JSON-compatible value"),
        (lambda: openlines.Engine(basic_config()).handle(T0, {1: "tick"}), "dict keys must be str"),
        (lambda: openlines.Engine({"lines": [{"id": b"x"}]}), "lines[0].id: expected a JSON-compatible value"),
        (lambda: openlines.Engine.restore("snapshot"), "data: expected bytes"),
        (lambda: openlines.Engine(basic_config()).dialog("1"), "dialog"),
    ],
)
def test_wrong_python_types_raise_type_error(call: Any, fragment: str) -> None:
    with pytest.raises(TypeError) as info:
        call()
    assert fragment in str(info.value)


def test_hostile_values_never_crash(engine: openlines.Engine) -> None:
    deep: Any = {"type": "tick"}
    node = deep
    for _ in range(10_000):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(openlines.InputError, match="nested more than"):
        engine.handle(T0, deep)
    loop: Any = []
    loop.append(loop)
    with pytest.raises(openlines.InputError, match="nested more than"):
        engine.handle(T0, {"type": "client_message", "line": "sales", "client": "c", "skills": loop})
    with pytest.raises(openlines.InputError, match="out of range"):
        engine.handle(T0, {"type": "accept", "dialog": 2**70, "operator": "ann"})
    with pytest.raises(openlines.InputError, match="surrogate"):
        engine.handle(T0, {"type": "forget_client", "client": "\ud800"})
    with pytest.raises(openlines.InputError, match="not a valid JSON number"):
        engine.handle(T0, {"type": "rate", "dialog": 1, "score": float("inf")})
    with pytest.raises(openlines.InputError):
        engine.handle(T0, {"type": "client_message", "line": "sales", "client": "x" * 1_000_000})
    with pytest.raises(openlines.SnapshotError):
        openlines.Engine.restore(b"\x00" * 1000)
    with pytest.raises(openlines.SnapshotError):
        openlines.Engine.restore(b"[" * 100_000)
    # The refused inputs changed nothing; time is committed, so the clock is at T0.
    fresh = openlines.Engine(basic_config())
    fresh.advance(T0)
    assert engine.snapshot() == fresh.snapshot()


class BadMapping(dict):  # type: ignore[type-arg]
    """A dict subclass is read as a dict."""


def test_mappings_and_tuples_are_accepted(engine: openlines.Engine) -> None:
    from types import MappingProxyType

    a = engine.handle(T0, MappingProxyType({"type": "client_message", "line": "sales", "client": "c", "skills": ()}))
    assert a[0] == openlines.DialogOpened(dialog=1, line="sales", client="c")
    assert engine.handle(at(1), BadMapping(type="tick")) == []


def test_naive_datetime_is_rejected_clearly(engine: openlines.Engine) -> None:
    with pytest.raises(openlines.InputError) as info:
        engine.handle(datetime(2026, 11, 23, 9, 0), {"type": "tick"})
    assert "naive datetime" in str(info.value) and "tzinfo" in str(info.value)
    assert info.value.kind == "invalid_input"
    with pytest.raises(ValueError, match="naive"):
        engine.advance(datetime(2026, 11, 23, 9, 0))
    with pytest.raises(ValueError, match="naive"):
        openlines.Offer(dialog=1, operators=[], expires_at=datetime(2026, 1, 1))
    assert engine.now() is None


def test_a_panic_becomes_internal_error_and_poisons_the_engine(engine: openlines.Engine) -> None:
    import copy

    # run-tests.sh builds the wheel with the `test-hooks` feature (a method that panics
    # halfway through a call); release wheels do not have it.
    assert hasattr(engine, "_panic_after_tick")
    engine.handle(T0, {"type": "client_message", "line": "sales", "client": "a"})
    before = engine.snapshot()
    with pytest.raises(openlines.InternalError) as info:
        engine._panic_after_tick(at(60))
    err = info.value
    assert isinstance(err, openlines.Error) and isinstance(err, Exception)
    assert err.kind == "internal"
    assert "panic" in err.message and "poisoned" in err.message
    assert "test hook" in err.message
    calls: list[Any] = [
        lambda: engine.advance(at(61)),
        lambda: engine.handle(at(61), {"type": "client_message", "line": "sales", "client": "b"}),
        lambda: engine.handle_many([(at(61), None)]),
        engine.snapshot,
        engine.next_deadline,
        engine.now,
        lambda: engine.dialog(1),
        lambda: engine.stats("sales"),
        engine.open_dialogs,
        lambda: copy.copy(engine),
        lambda: pickle.dumps(engine),
    ]
    for call in calls:
        with pytest.raises(openlines.InternalError, match="the engine is poisoned"):
            call()
    assert "poisoned" in repr(engine)
    # The way out: restore the last snapshot.
    again = openlines.Engine.restore(before)
    assert again.snapshot() == before
    assert again.advance(at(61)) is not None


def test_times_the_engine_cannot_keep_representable_are_refused_naming_at(engine: openlines.Engine) -> None:
    from datetime import timezone

    for when in [datetime(9980, 1, 1, tzinfo=timezone.utc), datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)]:
        err = raises_kind("invalid_input", engine.advance, when)
        assert err.message.startswith("at: ") and "9979-12-31" in err.message
        err = raises_kind("invalid_input", engine.handle, when, {"type": "client_message", "line": "sales", "client": "a"})
        assert err.message.startswith("at: ")
    assert engine.now() is None  # nothing changed
    # The last accepted time, with a ten-year timer: every time the engine hands back
    # converts to a datetime (no bare ValueError).
    config = basic_config()
    config["lines"][0]["auto_close"] = {"after_secs": 315_000_000}
    config["lines"][0]["queue"]["forward_after_secs"] = 315_000_000
    e = openlines.Engine(config)
    last = datetime(9979, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
    actions = e.handle(last, {"type": "client_message", "line": "sales", "client": "a"})
    assert any(isinstance(a, openlines.Offer) for a in actions)
    deadline = e.next_deadline()
    assert deadline is not None and deadline.year == 9989
    assert e.now() == last
    assert e.dialog(1) is not None
