#!/usr/bin/env python3
"""Checkpoint cost from the workers' event logs.

usage: checkpoints.py LOG...
Prints how many checkpoints were written, how many tenant snapshots they held, and the
mean time per tenant snapshot (snapshot, object-store put and manifest, divided by the
tenants written).
"""
import json
import sys

records = [json.loads(line) for path in sys.argv[1:] for line in open(path)
           if line.startswith("{") and '"checkpoint"' in line]
tenants = sum(r["tenants"] for r in records)
micros = sum(r["micros"] for r in records)
size = sum(r["bytes"] for r in records)
print(f"checkpoints: {len(records)}, {tenants} tenant snapshots, "
      f"{micros / max(tenants, 1) / 1000:.2f} ms and {size // max(tenants, 1)} bytes per tenant, "
      f"{micros / max(len(records), 1) / 1000:.1f} ms per checkpoint")
