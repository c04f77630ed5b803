#!/usr/bin/env python3
"""Compare, per tenant, the actions the workers published (de-duplicated by their
idempotency key) with a single-process `openlines replay` of the same inputs.

usage: compare.py EXPORT_DIR OPENLINES_BIN
EXPORT_DIR is what `openlines-nats export` wrote. Prints one line per failed check
and a final "nats chaos: N passed, M failed" line; exits 1 if anything failed.
"""
import json
import pathlib
import subprocess
import sys


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def replayed(openlines, scenario, seqs):
    """(seq, index, action) of every action the single-process replay produces."""
    out = subprocess.run([openlines, "replay", str(scenario)], check=True,
                         capture_output=True, text=True).stdout
    result, index, last_step = [], 0, None
    for line in out.splitlines():
        record = json.loads(line)
        if "action" not in record:
            continue  # a rejected input: the workers dead-lettered it
        step = record["step"]
        index = index + 1 if step == last_step else 0
        last_step = step
        result.append((seqs[step], index, canonical(record["action"])))
    return result


def published(path):
    """(seq, index, action) of every action published for the tenant, in key order."""
    result = []
    for line in path.read_text().splitlines():
        record = json.loads(line)
        result.append((record["seq"], record["index"], canonical(record["action"])))
    return sorted(result)


def first_difference(expected, actual):
    for i, (e, a) in enumerate(zip(expected, actual)):
        if e != a:
            return f"at #{i}: replay {e} / published {a}"
    return f"replay has {len(expected)} actions, published {len(actual)}"


def main():
    export, openlines = pathlib.Path(sys.argv[1]), sys.argv[2]
    summary = json.loads((export / "summary.json").read_text())
    passed, failed = 0, 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAILED: {what}")

    tenants = sorted(p.name[: -len(".seqs.json")] for p in export.glob("*.seqs.json"))
    total = 0
    for tenant in tenants:
        seqs = json.loads((export / f"{tenant}.seqs.json").read_text())
        expected = replayed(openlines, export / f"{tenant}.json", seqs)
        actual = published(export / f"{tenant}.actions.jsonl")
        total += len(expected)
        check(expected == actual, f"tenant {tenant}: {first_difference(expected, actual)}")
    check(len(tenants) >= 50, f"at least 50 tenants (got {len(tenants)})")
    if (export / "live.seqs.json").exists():
        live = [json.loads(a) for _, _, a in published(export / "live.actions.jsonl")]
        withdrawn = sum(1 for a in live if a["type"] == "offer_withdrawn")
        check(withdrawn >= 2, f"the worker's ticks fired the live tenant's offer timeouts: {live}")
    check(total > 0 and total == summary["actions_unique"],
          f"every published action belongs to a replayed one ({total} replayed, "
          f"{summary['actions_unique']} published)")
    check(summary["duplicates"] == 0,
          f"JetStream stored no action twice ({summary['duplicates']} duplicates)")
    reasons = summary["dead_reasons"]
    for reason in ("malformed", "unknown_tenant", "invalid_tenant"):
        check(reasons.get(reason, 0) > 0, f"dead letters with reason {reason}: {reasons}")
    engine_rejections = sum(n for r, n in reasons.items()
                            if r not in ("malformed", "unknown_tenant", "invalid_tenant"))
    check(engine_rejections > 0, f"dead letters for inputs the engine rejected: {reasons}")
    print(f"compared {len(tenants)} tenants, {total} actions, {summary['inputs']} inputs, "
          f"{summary['dead_letters']} dead letters {reasons}")
    print(f"nats chaos: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
