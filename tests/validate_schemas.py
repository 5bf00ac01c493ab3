#!/usr/bin/env python3
"""Validates the messages the workers really produced (saved by the pipeline test as
messages-<topic>.jsonl in the build directory) against docs/schemas, with a real JSON
Schema validator, and checks that every schema is itself valid.

Usage: validate_schemas.py SCHEMA_DIR BUILD_DIR
       validate_schemas.py SCHEMA_DIR --config CONFIG_DIR
The second form validates a tenant configuration (baseline.json and tenants/*.json)
against tenant.schema.json, the schema editors and operators see.
Prints one line per file and a closing 'N passed, N failed' line; exits 1 on failure."""
import datetime
import json
import pathlib
import re
import sys

import jsonschema
from jsonschema import Draft202012Validator

FILES = {
    "decisions": "decision.schema.json",
    "deadletter": "deadletter.schema.json",
    "classified": "classified.schema.json",
    "actions": "action.schema.json",
    "escalations": "escalation.schema.json",
    "sla": "sla.schema.json",
    "operator": "operator.schema.json",
    "console-operator": "operator.schema.json",
    "inbound": "envelope.schema.json",
    "act-results": "action-result.schema.json",
}


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def is_rfc3339(value):
    """Debian's jsonschema checks date-time only with an extra package; this one is ours."""
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        raise ValueError(f"{value!r} is not RFC 3339")
    datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


def load_schemas(schema_dir):
    store = {}
    for path in sorted(schema_dir.glob("*.schema.json")):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        store[path.name] = schema
        store[schema["$id"]] = schema
    return store


def validator_for(store, name):
    schema = store[name]
    resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
    return Draft202012Validator(schema, resolver=resolver, format_checker=FORMATS)


def validate_config(store, config_dir):
    """Each file of a config directory against tenant.schema.json: (passed, failed)."""
    validator = validator_for(store, "tenant.schema.json")
    passed = failed = 0
    for path in [config_dir / "baseline.json", *sorted((config_dir / "tenants").glob("*.json"))]:
        errors = sorted(validator.iter_errors(json.loads(path.read_text())), key=str)
        for e in errors[:3]:
            print(f"FAIL {path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
        if errors:
            failed += 1
        else:
            passed += 1
            print(f"{path}: valid")
    return passed, failed


def validate_messages(store, build_dir):
    """Every saved messages-<topic>.jsonl against its topic's schema: (passed, failed)."""
    passed = failed = 0
    for topic, schema_name in FILES.items():
        path = build_dir / f"messages-{topic}.jsonl"
        if not path.exists():
            continue
        validator = validator_for(store, schema_name)
        lines = [l for l in path.read_text().splitlines() if l.strip()]
        if not lines:
            print(f"FAIL {path.name}: no messages to validate")
            failed += 1
        for i, line in enumerate(lines, 1):
            errors = sorted(validator.iter_errors(json.loads(line)), key=str)
            if errors:
                failed += 1
                for e in errors[:3]:
                    print(f"FAIL {path.name}:{i}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
            else:
                passed += 1
        print(f"{path.name}: {len(lines)} messages against {schema_name}")
    if passed + failed == 0:
        print("FAIL: no produced messages found (run test_pipeline first)")
        failed = 1
    return passed, failed


def main():
    store = load_schemas(pathlib.Path(sys.argv[1]))
    if sys.argv[2] == "--config":
        passed, failed = validate_config(store, pathlib.Path(sys.argv[3]))
    else:
        passed, failed = validate_messages(store, pathlib.Path(sys.argv[2]))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
