"""The SQLite helpdesk example: a restart (after a crash, with or without a recent
snapshot) restores exactly the state of a host that never stopped."""

from __future__ import annotations

import queue
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, List, Optional

import pytest

import openlines
import scenario
from conftest import at, rich_config
from helpdesk import Helpdesk


def events() -> List[Any]:
    return [(at(s), scenario.typed(step) if i % 2 else step) for i, (s, step) in enumerate(scenario.STEPS)]


@pytest.mark.parametrize("crash_after", [3, 9, 17, 24, len(scenario.STEPS)])
@pytest.mark.parametrize("snapshot_every", [1, 4, 1000])
def test_crash_restart_equivalence(tmp_path: Path, crash_after: int, snapshot_every: int) -> None:
    sent: List[openlines.Action] = []
    db = str(tmp_path / "desk.sqlite")
    reference = openlines.Engine(rich_config())
    desk = Helpdesk(db, rich_config(), snapshot_every=snapshot_every, send=sent.append)
    for when, event in events()[:crash_after]:
        expected = reference.advance(when) if event is None else reference.handle(when, event)
        assert desk.submit(when, event) == expected
    desk.db.close()  # the crash: no final checkpoint, nothing flushed by us

    restarted = Helpdesk(db, None, snapshot_every=snapshot_every, send=sent.append)
    assert restarted.engine.snapshot() == reference.snapshot()
    assert restarted.engine.next_deadline() == reference.next_deadline()
    for when, event in events()[crash_after:]:
        expected = reference.advance(when) if event is None else reference.handle(when, event)
        assert restarted.submit(when, event) == expected
    assert restarted.engine.snapshot() == reference.snapshot()
    restarted.checkpoint()
    restarted.close()
    again = Helpdesk(db, None)
    assert again.engine.snapshot() == reference.snapshot()
    again.close()


def test_rejected_inputs_replay_as_rejections(tmp_path: Path) -> None:
    db = str(tmp_path / "desk.sqlite")
    desk = Helpdesk(db, rich_config(), send=lambda a: None)
    desk.submit(at(0), {"type": "client_message", "line": "sales", "client": "a"})
    assert desk.submit(at(1), {"type": "close", "dialog": 1, "operator": "bob"}) == []
    assert isinstance(desk.rejected[0], openlines.NotAllowedError)
    desk.submit(at(2), openlines.Accept(dialog=1, operator="ann"))
    state = desk.engine.snapshot()
    desk.close()
    assert Helpdesk(db, None).engine.snapshot() == state


def test_new_database_needs_a_config(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs a config"):
        Helpdesk(str(tmp_path / "empty.sqlite"))
    with pytest.raises(openlines.ConfigError):
        Helpdesk(str(tmp_path / "bad.sqlite"), {"lines": [{"id": ""}]})


def test_loop_sleeps_until_next_deadline(tmp_path: Path) -> None:
    config = {
        "operators": [{"id": "ann"}, {"id": "bob"}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"], "forward_after_secs": 1}}],
    }
    sent: List[openlines.Action] = []
    desk = Helpdesk(str(tmp_path / "loop.sqlite"), config, send=sent.append)
    q: "queue.Queue[Optional[Any]]" = queue.Queue()
    q.put({"type": "client_message", "line": "sales", "client": "tg:1"})
    timer = threading.Timer(1.6, q.put, args=(None,))
    timer.start()
    desk.run(q)
    types = [a.type for a in sent]
    assert types[:2] == ["dialog_opened", "offer"]
    assert types[2:4] == ["offer_withdrawn", "offer"]  # the tick at the deadline
    offer = sent[3]
    assert isinstance(offer, openlines.Offer) and offer.operators == ["bob"]
    # the tick was logged: a restart reaches the same state
    state = desk.engine.snapshot()
    desk.close()
    assert Helpdesk(str(tmp_path / "loop.sqlite"), None).engine.snapshot() == state


def test_times_in_other_zones_are_logged_in_utc(tmp_path: Path) -> None:
    db = str(tmp_path / "tz.sqlite")
    desk = Helpdesk(db, rich_config(), send=lambda a: None)
    local = datetime(2026, 11, 23, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    desk.submit(local, {"type": "client_message", "line": "sales", "client": "a"})
    (logged,) = desk.db.execute("SELECT at FROM inputs").fetchone()
    assert logged == "2026-11-23T09:00:00+00:00"
    desk.close()


def test_restart_demo_shows_the_same_state_after_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    import helpdesk

    helpdesk.restart_demo()
    out = capsys.readouterr().out
    assert "same state: True" in out
    assert "exactly what a host that never stopped" in out
