"""python/bench.py's hand-written router is a fair baseline: on the M/M/c day it makes
exactly the engine's decisions (same offers to the same operators, same queueing), so
the bench compares equal work."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.skipif(sys.version_info < (3, 10), reason="bench.py uses match")


def load_bench() -> ModuleType:
    path = Path(__file__).resolve().parent.parent / "bench.py"
    spec = importlib.util.spec_from_file_location("openlines_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


@pytest.mark.parametrize("operators,capacity", [(3, 1), (10, 2)])
def test_the_baseline_decides_like_the_engine(operators: int, capacity: int) -> None:
    bench = load_bench()
    config = bench.mmc_config(operators, capacity)
    runs = {way.name: bench.run_mmc(way, 2_000, operators, capacity)
            for way in bench.mmc_ways(config)}
    assert set(runs) == {"handwritten", "engine_dicts", "engine_typed"}
    reference = runs["handwritten"][2]
    for name, (_, calls, decisions) in runs.items():
        assert calls == 6_000, name  # a client message, an accept and a close per dialog
        assert decisions == reference, name
    kinds = [kind for kind, _, _ in reference]
    assert kinds.count("dialog_closed") == 2_000
    assert kinds.count("queued") > 0  # at 0.9 load some clients wait
    # Every queued dialog is offered later, to the operator whose load fell first.
    assert kinds.count("offer") == kinds.count("assigned") == 2_000
