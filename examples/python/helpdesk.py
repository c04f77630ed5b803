"""A small helpdesk host for the openlines engine, with crash-safe persistence.

The host owns everything the engine does not: the clock, the event sources, sending,
and storage. The pattern (README.md, "Hosting at scale"):

* write-ahead input log: every input (and every clock tick) is appended to SQLite
  *before* the engine sees it; the engine is deterministic, so replaying the log
  rebuilds exactly the same state;
* periodic snapshots: every ``snapshot_every`` inputs the engine's ``snapshot()`` is
  stored with the log position it includes, so a restart replays only the tail;
* a loop that waits for the next event or the engine's ``next_deadline()``, whichever
  comes first, and ticks the engine when a deadline passes.

After a crash, actions of the replayed tail are not sent again (at-most-once for the
last input; a real host would make sending idempotent, e.g. keyed by dialog and
step). Run ``python helpdesk.py`` for two short demos: the event loop on an in-memory
database, then a crash and restart on a database file (``restart_demo``): the host is
killed between two inputs, a new one restores the latest snapshot plus the logged
inputs after it, and goes on with exactly the actions of a host that never stopped.
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, List, Mapping, Optional, Union

import openlines

InputLike = Union[openlines.Input, Mapping[str, Any]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS config    (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS inputs    (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, input TEXT);
CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
"""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def print_action(action: openlines.Action) -> None:
    """The demo's "sending": print the action's JSON."""
    print("  ->", action.to_json())


class Helpdesk:
    """One tenant's engine, persisted in a SQLite file.

    ``Helpdesk(path, config)`` opens (or creates) the database; when it already holds a
    state, that state is restored (latest snapshot + the inputs logged after it) and
    ``config`` is ignored.
    """

    def __init__(
        self,
        path: str,
        config: Optional[Mapping[str, Any]] = None,
        *,
        snapshot_every: int = 100,
        send: Callable[[openlines.Action], None] = print_action,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(SCHEMA)
        self.snapshot_every = snapshot_every
        self.send = send
        self.clock = clock
        self.rejected: List[openlines.Error] = []
        self.engine = self._recover(config)

    # ------------------------------------------------------------------ recovery

    def _recover(self, config: Optional[Mapping[str, Any]]) -> openlines.Engine:
        row = self.db.execute("SELECT json FROM config WHERE id = 1").fetchone()
        if row is None:
            if config is None:
                raise ValueError("a new helpdesk database needs a config")
            engine_config = openlines.Config(config)  # validate before storing
            with self.db:
                self.db.execute("INSERT INTO config (id, json) VALUES (1, ?)", (engine_config.to_json(),))
            row = (engine_config.to_json(),)
        snap = self.db.execute("SELECT seq, data FROM snapshots ORDER BY seq DESC LIMIT 1").fetchone()
        if snap is None:
            engine, after = openlines.Engine(row[0]), 0
        else:
            engine, after = openlines.Engine.restore(snap[1]), snap[0]
        tail = self.db.execute("SELECT at, input FROM inputs WHERE seq > ? ORDER BY seq", (after,))
        steps = [(datetime.fromisoformat(at), json.loads(inp) if inp else None) for at, inp in tail]
        # Already sent before the restart: replay silently. Rejections replay as rejections.
        engine.handle_many(steps, errors="return")
        return engine

    # ------------------------------------------------------------------ inputs

    def submit(self, at: datetime, event: Optional[InputLike]) -> List[openlines.Action]:
        """Log one event (``None`` = clock tick), apply it, send its actions."""
        data = None
        if event is not None:
            data = event.to_json() if isinstance(event, openlines.Input) else json.dumps(dict(event))
        at_utc = at.astimezone(timezone.utc)
        with self.db:
            cur = self.db.execute("INSERT INTO inputs (at, input) VALUES (?, ?)", (at_utc.isoformat(), data))
        seq = cur.lastrowid
        try:
            actions = self.engine.advance(at_utc) if event is None else self.engine.handle(at_utc, event)
        except openlines.Error as err:
            # Logged anyway: the replay rejects it the same way, so the state matches.
            self.rejected.append(err)
            return []
        for action in actions:
            self.send(action)
        if seq is not None and seq % self.snapshot_every == 0:
            self.checkpoint(seq)
        return actions

    def checkpoint(self, seq: Optional[int] = None) -> None:
        """Store a snapshot covering the log up to ``seq`` (default: all of it)."""
        if seq is None:
            seq = self._last_seq()
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO snapshots (seq, data) VALUES (?, ?)",
                            (seq, self.engine.snapshot()))
            # Older snapshots and the inputs they cover are no longer needed.
            self.db.execute("DELETE FROM snapshots WHERE seq < ?", (seq,))
            self.db.execute("DELETE FROM inputs WHERE seq <= ?", (seq,))

    def _last_seq(self) -> int:
        """The last log position ever assigned (AUTOINCREMENT never reuses one)."""
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'inputs'").fetchone()
        return int(row[0]) if row else 0

    def tick(self, at: datetime) -> List[openlines.Action]:
        """A clock tick (logged like an input)."""
        return self.submit(at, None)

    # ------------------------------------------------------------------ the loop

    def run(self, events: "queue.Queue[Optional[InputLike]]") -> None:
        """Serve until a ``None`` event arrives: apply each event when it comes, and
        tick the engine whenever ``next_deadline()`` passes in between."""
        while True:
            deadline = self.engine.next_deadline()
            timeout = None
            if deadline is not None:
                timeout = max(0.0, (deadline - self.clock()).total_seconds())
            try:
                event = events.get(timeout=timeout)
            except queue.Empty:
                self.tick(max(self.clock(), deadline or self.clock()))
                continue
            if event is None:
                return
            self.submit(self.clock(), event)

    def close(self) -> None:
        self.db.close()


def demo(events: Iterable[InputLike] = ()) -> None:
    config = {
        "operators": [{"id": "ann"}, {"id": "bob"}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"], "forward_after_secs": 1},
                   "greeting": {"text": "Hello!"}}],
    }
    desk = Helpdesk(":memory:", config)
    q: "queue.Queue[Optional[InputLike]]" = queue.Queue()
    q.put(openlines.ClientMessage(line="sales", client="tg:42", text="hi"))
    for e in events:
        q.put(e)
    import threading

    threading.Timer(2.5, q.put, args=(None,)).start()  # stop after the offer went round
    print("serving for 2.5 s; ann and bob each let the offer time out:")
    desk.run(q)
    print("next deadline:", desk.engine.next_deadline())
    desk.close()


def restart_demo() -> None:
    """Kill the host between two inputs, restart it from its database, and check that
    it goes on exactly like a host that never stopped."""
    config: Mapping[str, Any] = {
        "operators": [{"id": "ann"}, {"id": "bob"}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"], "forward_after_secs": 60},
                   "auto_close": {"after_secs": 300}}],
    }
    t0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    before: List[InputLike] = [
        openlines.ClientMessage(line="sales", client="tg:42", text="hi"),
        openlines.Accept(dialog=1, operator="ann"),
        openlines.OperatorMessage(dialog=1, operator="ann"),
    ]
    after: List[Optional[InputLike]] = [None, openlines.ClientMessage(line="sales", client="tg:7")]
    never_stopped = openlines.Engine(json.dumps(config))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "desk.sqlite")
        desk = Helpdesk(path, config, snapshot_every=2, send=lambda a: None)
        for i, event in enumerate(before):
            desk.submit(t0 + timedelta(seconds=i), event)
            never_stopped.handle(t0 + timedelta(seconds=i), event)
        print("crash: the host dies after 3 inputs (snapshot at input 2, input 3 only in the log)")
        desk.db.close()  # no checkpoint, no goodbye
        del desk

        restarted = Helpdesk(path, None, send=print_action)
        same = restarted.engine.snapshot() == never_stopped.snapshot()
        print("restart: latest snapshot + the logged input after it; same state:", same)
        assert same
        for i, next_event in enumerate(after):
            when = t0 + timedelta(minutes=6 + i)  # past the auto-close of dialog 1
            expected = never_stopped.advance(when) if next_event is None else never_stopped.handle(when, next_event)
            print(f"  {when:%H:%M} {'tick' if next_event is None else 'client_message'}:")
            got = restarted.submit(when, next_event)
            assert got == expected, (got, expected)
        print("the restarted host sent exactly what a host that never stopped would have")
        restarted.close()


if __name__ == "__main__":
    demo()
    restart_demo()
