"""Shared fixtures: configs, times, and the CLI used for replay cross-checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "examples" / "python"))

if sys.version_info < (3, 10):  # `match` statements need 3.10
    collect_ignore = ["test_match.py"]

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    """T0 plus some seconds."""
    return T0 + timedelta(seconds=seconds)


def basic_config() -> Dict[str, Any]:
    return {
        "operators": [{"id": "ann"}, {"id": "bob"}],
        "lines": [{"id": "sales", "queue": {"operators": ["ann", "bob"]}}],
    }


def rich_config() -> Dict[str, Any]:
    """A line with every automatic feature on, plus a bot line and a closed line."""
    return {
        "operators": [{"id": "ann"}, {"id": "bob"}, {"id": "cid"}, {"id": "boss"}],
        "lines": [
            {
                "id": "sales",
                "queue": {
                    "operators": ["ann", "bob"],
                    "forward_after_secs": 60,
                    "no_answer": {"action": "send_form", "form": "contact", "retry_after_secs": 120},
                },
                "crm": {"create_lead": "auto", "change_responsible_on_transfer": True},
                "greeting": {"when": "every_dialog", "text": "Hello!"},
                "consent": {"text": "We store your data"},
                "unanswered": {"after_secs": 300, "text": "Please wait"},
                "nobody_available_text": "Nobody is here",
                "queue_position": {"text": "You are #POSITION# in line", "repeat_secs": 0},
                "auto_close": {"after_secs": 3600, "text": "Closed for silence"},
                "closing": {"text": "Thank you!"},
                "rating": {"enabled": True, "text": "Rate us 1-5", "window_secs": 600},
                "kpi": {
                    "first_response_secs": 120,
                    "notify": ["boss"],
                    "text": "#OPERATOR# has not answered dialog #DIALOG#",
                },
            },
            {
                "id": "support",
                "queue": {"operators": ["cid"]},
                "bot": {"id": "faq", "when": "every_dialog", "handoff_after_secs": 0},
            },
            {
                "id": "night",
                "queue": {"operators": ["cid"]},
                "schedule": {
                    "timezone": "Europe/Warsaw",
                    "weekly": {"sat": [["09:00", "10:00"]]},
                    "off_hours": {"action": "send_text", "text": "We answer on Saturdays"},
                },
            },
        ],
    }


@pytest.fixture
def engine():  # type: ignore[no-untyped-def]
    import openlines

    return openlines.Engine(basic_config())


def find_cli() -> Path:
    """The `openlines` CLI binary: $OPENLINES_CLI, else built with cargo into the
    target dir. Tests that need it fail (never skip) when it cannot be found."""
    env = os.environ.get("OPENLINES_CLI")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    path = target / "debug" / "openlines"
    if not path.exists() and shutil.which("cargo"):
        subprocess.run(
            ["cargo", "build", "--quiet", "-p", "openlines-cli"], cwd=REPO, check=True
        )
    return path


@pytest.fixture(scope="session")
def cli() -> Path:
    path = find_cli()
    if not path.exists():
        pytest.fail(f"openlines CLI not found at {path}; set OPENLINES_CLI or build it with "
                    "`cargo build -p openlines-cli`")
    return path
