"""The Engine end to end: every input kind, every action kind, dicts vs typed inputs,
views, snapshots, handle_many."""

from __future__ import annotations

import copy
import gc
import json
import pickle
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest

import openlines
import scenario
from conftest import T0, at, basic_config, rich_config

ALL_ACTION_TYPES = {
    "dialog_opened", "send_message", "offer", "offer_withdrawn", "assigned", "queued",
    "mark_unanswered", "kpi_overdue", "bot_started", "bot_stopped", "create_lead",
    "send_form", "crm_responsible_changed", "dialog_closed",
}
ALL_INPUT_TYPES = {
    "client_message", "operator_message", "accept", "skip", "transfer", "close", "pin",
    "rate", "presence", "bot_handoff", "bot_resolved", "set_line", "set_operator",
    "forget_client", "tick",
}


def test_quick_start_flow(engine: openlines.Engine) -> None:
    actions = engine.handle(T0, {"type": "client_message", "line": "sales", "client": "tg:42"})
    assert actions == [
        openlines.DialogOpened(dialog=1, line="sales", client="tg:42"),
        openlines.Offer(dialog=1, operators=["ann"], expires_at=at(60)),
    ]
    assert [a.type for a in actions] == ["dialog_opened", "offer"]
    assert actions[1].to_dict() == {
        "type": "offer", "dialog": 1, "operators": ["ann"], "expires_at": "2026-11-23T09:01:00Z",
    }
    assert engine.next_deadline() == at(60)
    assert engine.advance(at(59)) == []
    assert engine.advance(at(60)) == [
        openlines.OfferWithdrawn(dialog=1, operator="ann", reason="timeout"),
        openlines.Offer(dialog=1, operators=["bob"], expires_at=at(120)),
    ]
    assert engine.handle(at(70), openlines.Accept(dialog=1, operator="bob")) == [
        openlines.Assigned(dialog=1, operator="bob", reason="accepted"),
    ]
    assert engine.now() == at(70)


def test_every_input_and_action_kind_dict_vs_typed() -> None:
    by_dict = scenario.run(openlines.Engine(rich_config()), use_typed=False)
    by_typed = scenario.run(openlines.Engine(rich_config()), use_typed=True)
    assert by_dict == by_typed
    assert [[a.to_dict() for a in s] for s in by_dict] == [[a.to_dict() for a in s] for s in by_typed]
    used_inputs = {s["type"] for _, s in scenario.STEPS if s is not None}
    assert used_inputs == ALL_INPUT_TYPES
    produced = {a.type for step in by_dict for a in step}
    assert produced == ALL_ACTION_TYPES, ALL_ACTION_TYPES - produced
    kinds = {a.kind for step in by_dict for a in step if isinstance(a, openlines.SendMessage)}
    assert {"consent", "greeting", "off_hours", "nobody_available", "queue_position",
            "unanswered", "closing", "rating_request"} <= kinds


def test_typed_inputs_round_trip_their_dicts() -> None:
    for _, step in scenario.STEPS:
        if step is None:
            continue
        typed = scenario.typed(step)
        assert typed is not None
        assert typed.type == step["type"]
        again = openlines.Input.from_dict(typed.to_dict())
        assert again == typed and hash(again) == hash(typed)
        assert type(again) is type(typed)
        assert json.loads(typed.to_json()) == typed.to_dict()
        assert pickle.loads(pickle.dumps(typed)) == typed
        for name in type(typed).__match_args__:
            assert getattr(typed, name) == typed.to_dict().get(name)


def test_actions_are_frozen_typed_values() -> None:
    steps = scenario.run(openlines.Engine(rich_config()), use_typed=False)
    namespace = {name: getattr(openlines, name) for name in openlines.__all__}
    namespace["datetime"] = __import__("datetime")
    for action in (a for s in steps for a in s):
        assert isinstance(action, openlines.Action)
        d = action.to_dict()
        assert list(d)[0] == "type" and d["type"] == action.type
        assert d["dialog"] == action.dialog
        assert json.loads(action.to_json()) == d
        assert json.dumps(d) == json.dumps(json.loads(action.to_json()))  # same key order too
        assert openlines.Action.from_dict(d) == action
        assert eval(repr(action), namespace) == action  # repr is a constructor call
        assert pickle.loads(pickle.dumps(action)) == action
        assert hash(copy.copy(action)) == hash(action)
        assert action != d  # a dict is not an action
        with pytest.raises(AttributeError):
            action.dialog = 99  # type: ignore[misc]
        fields = type(action).__match_args__
        assert fields[0] == "dialog"
        for name in fields:
            value = getattr(action, name)
            if name == "expires_at":
                assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
                assert d[name] == value.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif name == "stats":
                assert isinstance(value, openlines.DialogStats)
                assert value.to_dict() == d["stats"]
                assert list(value.to_dict()) == list(json.loads(action.to_json())["stats"])
            else:
                assert value == d[name]


def test_dialog_closed_stats() -> None:
    steps = scenario.run(openlines.Engine(rich_config()), use_typed=False)
    closed = [a for s in steps for a in s if isinstance(a, openlines.DialogClosed)]
    rated = next(a for a in closed if a.reason == "rated")
    assert rated.stats.rating == 4
    assert rated.stats.operator_messages == 1
    assert rated.stats == openlines.DialogStats(**rated.stats.to_dict())
    assert rated == openlines.DialogClosed(dialog=rated.dialog, reason="rated", stats=rated.stats.to_dict())


def test_views_are_plain_dicts(engine: openlines.Engine) -> None:
    engine.handle(T0, openlines.ClientMessage(line="sales", client="tg:42"))
    dialog = engine.dialog(1)
    assert dialog is not None
    assert dialog["status"] == "offered" and dialog["offered_to"] == ["ann"]
    assert dialog["opened_at"] == T0 and dialog["offer_expires_at"] == at(60)
    assert engine.dialog(2) is None and engine.dialog(-1) is None
    queue = engine.queue("sales")
    assert queue == {"line": "sales", "waiting": [], "operators": ["ann", "bob"]}
    stats = engine.stats("sales")
    assert stats is not None and stats["open"] == 1 and stats["offered"] == 1
    assert stats["operator_load"] == {"ann": 1}
    explain = engine.explain(1)
    assert explain is not None and explain["decision"] == "offer" and explain["at"] == T0
    assert explain["operators"][0] == {"operator": "ann", "verdict": "chosen"}
    operator = engine.operator("ann")
    assert operator is not None and operator["presence"] == "online"
    assert engine.queue("nope") is None and engine.stats("nope") is None
    assert engine.operator("nope") is None and engine.explain(9) is None
    assert engine.open_dialogs() == [1]
    assert engine.operator_ids() == ["ann", "bob"] and engine.line_ids() == ["sales"]


def test_queue_view_lists_waiting_dialogs(engine: openlines.Engine) -> None:
    engine.handle(T0, {"type": "presence", "operator": "ann", "status": "offline"})
    engine.handle(T0, {"type": "presence", "operator": "bob", "status": "offline"})
    engine.handle(at(1), {"type": "client_message", "line": "sales", "client": "a"})
    queue = engine.queue("sales")
    assert queue is not None
    assert queue["waiting"] == [
        {"dialog": 1, "client": "a", "priority": 0, "reason": "nobody_available", "since": at(1)}
    ]


def test_config_forms_are_equivalent() -> None:
    cfg = basic_config()
    config = openlines.Config(cfg)
    assert openlines.Config(json.dumps(cfg)) == config
    assert openlines.Config.from_json(json.dumps(cfg)) == config
    assert openlines.Config(config.to_dict()) == config
    assert pickle.loads(pickle.dumps(config)) == config
    assert [o["id"] for o in config.operators] == ["ann", "bob"]
    assert config.lines[0]["queue"]["distribution"] == "evenly"  # defaults filled in
    assert "ann" in repr(config)
    traces = []
    for form in (cfg, json.dumps(cfg), config):
        e = openlines.Engine(form)
        traces.append(e.handle(T0, {"type": "client_message", "line": "sales", "client": "x"}))
    assert traces[0] == traces[1] == traces[2]


def test_snapshot_restore_continues_identically() -> None:
    a = openlines.Engine(rich_config())
    first, rest = scenario.STEPS[:12], scenario.STEPS[12:]
    for seconds, step in first:
        a.handle(at(seconds), step) if step else a.advance(at(seconds))
    data = a.snapshot()
    assert isinstance(data, bytes)
    b = openlines.Engine.restore(data)
    assert openlines.Engine.restore(bytearray(data)).snapshot() == data
    assert openlines.Engine.restore(memoryview(data)).snapshot() == data
    c = pickle.loads(pickle.dumps(a))
    d = copy.deepcopy(a)
    assert b.next_deadline() == a.next_deadline() and b.now() == a.now()
    for seconds, step in rest:
        outs = [
            (e.handle(at(seconds), step) if step else e.advance(at(seconds)))
            for e in (a, b, c, d)
        ]
        assert outs[0] == outs[1] == outs[2] == outs[3]
    assert a.snapshot() == b.snapshot() == c.snapshot() == d.snapshot()


def test_handle_many_matches_a_loop() -> None:
    steps = [(at(s), step) for s, step in scenario.STEPS]
    loop = scenario.run(openlines.Engine(rich_config()), use_typed=False)
    bulk = openlines.Engine(rich_config()).handle_many(steps)
    assert bulk == loop
    typed = openlines.Engine(rich_config()).handle_many(
        (t, scenario.typed(s)) for t, s in steps
    )
    assert typed == loop


def test_handle_many_errors(engine: openlines.Engine) -> None:
    steps = [
        (T0, {"type": "client_message", "line": "sales", "client": "a"}),
        (at(1), {"type": "accept", "dialog": 9, "operator": "ann"}),
        (at(2), {"type": "accept", "dialog": 1, "operator": "ann"}),
    ]
    with pytest.raises(openlines.UnknownIdError) as info:
        engine.handle_many(steps)
    assert info.value.index == 1 and info.value.kind == "unknown_dialog"
    assert engine.open_dialogs() == [1]  # the step before the error stays applied

    fresh = openlines.Engine(basic_config())
    results = fresh.handle_many(steps, errors="return")
    assert isinstance(results[1], openlines.UnknownIdError) and results[1].index == 1
    assert results[2] == [openlines.Assigned(dialog=1, operator="ann", reason="accepted")]
    with pytest.raises(ValueError, match="errors"):
        fresh.handle_many([], errors="ignore")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"steps\[0\]"):
        fresh.handle_many([T0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="steps"):
        fresh.handle_many("abc")  # type: ignore[arg-type]
    with pytest.raises(openlines.InputError, match=r"steps\[0\]\.at: naive"):
        fresh.handle_many([(datetime(2027, 1, 1), None)])


def test_handle_many_pauses_the_cyclic_gc_and_restores_it() -> None:
    """The collector is off while handle_many runs and back as it was afterwards,
    whether the call succeeds, is rejected or fails on a Python error."""
    seen: list[bool] = []

    def steps(last: object) -> Iterator[tuple[datetime, object]]:
        seen.append(gc.isenabled())
        yield (T0, {"type": "client_message", "line": "sales", "client": "a"})
        yield (at(1), last)

    assert gc.isenabled()
    try:
        openlines.Engine(basic_config()).handle_many(steps(None))
        with pytest.raises(openlines.UnknownIdError):
            openlines.Engine(basic_config()).handle_many(
                steps({"type": "accept", "dialog": 9, "operator": "ann"}))
        with pytest.raises(TypeError):
            openlines.Engine(basic_config()).handle_many(steps(object()))
        assert seen == [False, False, False]
        assert gc.isenabled()
        gc.disable()
        openlines.Engine(basic_config()).handle_many(steps(None))
        assert not gc.isenabled()  # a host that turned it off keeps it off
    finally:
        gc.enable()


def test_a_rejected_input_carries_its_timers_actions() -> None:
    """Time is committed: the offer expiry due before a refused accept fires, and its
    actions travel in the exception; nothing is lost from handle_many either."""
    steps = [
        (T0, {"type": "client_message", "line": "sales", "client": "a"}),
        (at(30), {"type": "client_message", "line": "sales", "client": "b"}),
        (at(65), {"type": "accept", "dialog": 1, "operator": "ann"}),
    ]
    engine = openlines.Engine(basic_config())
    for t, step in steps[:2]:
        engine.handle(t, step)
    ticked = openlines.Engine.restore(engine.snapshot())
    with pytest.raises(openlines.NotAllowedError) as info:
        engine.handle(*steps[2])
    expected = ticked.advance(at(65))
    assert expected and info.value.actions == expected
    assert isinstance(expected[0], openlines.OfferWithdrawn)
    assert engine.snapshot() == ticked.snapshot()
    assert engine.advance(at(65)) == []

    bulk = openlines.Engine(basic_config())
    with pytest.raises(openlines.NotAllowedError) as many:
        bulk.handle_many(steps)
    assert many.value.index == 2
    assert many.value.results is not None and len(many.value.results) == 2
    assert many.value.results[0][0] == openlines.DialogOpened(dialog=1, line="sales", client="a")
    assert many.value.actions == expected
    assert bulk.snapshot() == ticked.snapshot()

    # An input that cannot be read is refused after the tick to its time, like any other.
    with pytest.raises(openlines.InputError) as bad:
        engine.handle(at(200), {"type": "presence", "operator": "ann", "status": "sleeping"})
    assert any(isinstance(a, openlines.OfferWithdrawn) for a in bad.value.actions)
    assert engine.now() == at(200)
    # A host programming error (a wrong Python type) changes nothing, not even the clock.
    with pytest.raises(TypeError):
        engine.handle(at(300), 5)  # type: ignore[arg-type]
    assert engine.now() == at(200)


def test_version_and_docs() -> None:
    assert openlines.__version__.count(".") == 2
    assert isinstance(openlines.SNAPSHOT_VERSION, int)
    public = [getattr(openlines, n) for n in openlines.__all__ if n[0].isupper()]
    for obj in public:
        if isinstance(obj, type):
            assert obj.__doc__ and len(obj.__doc__) > 20, obj
            for name, member in vars(obj).items():
                if name.startswith("_") or not callable(member) and not hasattr(member, "__get__"):
                    continue
                assert getattr(member, "__doc__", None), f"{obj.__name__}.{name} has no docstring"
