#!/usr/bin/env python3
"""Checks scenarios/schema.json with an independent JSON Schema validator (python-jsonschema,
draft 2020-12): every shipped scenario and good test scenario is valid, and broken ones that the
loader rejects for their form are invalid too. Run by ctest when python3-jsonschema is there."""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator

root = pathlib.Path(sys.argv[1])
schema = json.loads((root / "scenarios/schema.json").read_text())
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)

good = sorted(root.glob("scenarios/**/*.json")) + sorted(root.glob("tests/runner/good/*.json"))
# Sweep grids (*.grid.json, docs/sweep.md) are not scenarios.
good = [p for p in good if p.name != "schema.json" and not p.name.endswith(".grid.json")]
# Broken files whose mistake a schema can see (form, not meaning).
bad = ["unknown-key-typo", "unknown-top-level-key", "missing-role", "role-typo", "lan-loss-above-one",
       "interfaces-not-array", "vrrp-priority-zero", "seed-wrong-type", "lan-queue-too-large",
       "duration-no-unit-number", "name-with-space", "generator-outside-array"]

failures = 0
for p in good:
    errors = list(validator.iter_errors(json.loads(p.read_text())))
    for e in errors[:3]:
        print(f"{p.relative_to(root)}: schema rejects a good scenario at /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
    failures += bool(errors)
for name in bad:
    p = root / "tests/runner/bad" / (name + ".json")
    if validator.is_valid(json.loads(p.read_text())):
        print(f"{p.relative_to(root)}: schema accepts a scenario the loader rejects")
        failures += 1
print(f"{len(good)} good and {len(bad)} bad scenarios checked, {failures} failures")
sys.exit(1 if failures else 0)
