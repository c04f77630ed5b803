"""The Python types cannot drift from the engine's: the JSON Schemas in ``schema/``
(generated from the Rust types, checked fresh by the Rust tests) are compared with the
``TypedDict``s and ``Literal`` aliases of ``openlines.types`` and with the typed input and
action classes (their ``__match_args__``, which stubtest ties to the ``.pyi`` stubs)."""

from __future__ import annotations

import ast
import json
import typing
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import openlines
import openlines.types as types

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "schema"

# Schema definition (Rust type) -> TypedDict of openlines.types.
OBJECTS = {
    "OperatorConfig": "OperatorDict",
    "LineConfig": "LineDict",
    "QueueConfig": "QueueDict",
    "NoAnswerConfig": "NoAnswerDict",
    "CrmConfig": "CrmDict",
    "ScheduleConfig": "ScheduleDict",
    "OffHoursConfig": "OffHoursDict",
    "GreetingConfig": "GreetingDict",
    "TextConfig": "TextDict",
    "TimedTextConfig": "TimedTextDict",
    "QueuePositionConfig": "QueuePositionDict",
    "RatingConfig": "RatingDict",
    "BotConfig": "BotDict",
    "KpiConfig": "KpiDict",
    "Limits": "LimitsDict",
    "CrmLookup": "CrmLookupDict",
    "DialogStats": "DialogStatsDict",
}
# Schema enumeration -> Literal alias of openlines.types.
ENUMS = {
    "PresenceStatus": "PresenceStatus",
    "Distribution": "Distribution",
    "WhenNobodyAvailable": "WhenNobodyAvailable",
    "LoadExclude": "LoadExclude",
    "NoAnswerAction": "NoAnswerAction",
    "CreateLead": "CreateLeadPolicy",
    "OffHoursAction": "OffHoursAction",
    "GreetingWhen": "GreetingWhen",
    "MessageKind": "MessageKind",
    "WithdrawReason": "WithdrawReason",
    "AssignReason": "AssignReason",
    "QueueReason": "QueueReason",
    "Kpi": "Kpi",
    "BotStopReason": "BotStopReason",
    "CloseReason": "CloseReason",
}


def load(name: str) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads((SCHEMA / name).read_text(encoding="utf-8"))
    return data


def all_defs() -> Dict[str, Any]:
    defs: Dict[str, Any] = {}
    for name in ("config.schema.json", "input.schema.json", "action.schema.json"):
        defs.update(load(name).get("$defs", {}))
    return defs


def keys_of(td: Any) -> Set[str]:
    return set(td.__required_keys__) | set(td.__optional_keys__)


def enum_values(node: Dict[str, Any]) -> Set[str]:
    if "enum" in node:
        return set(node["enum"])
    return {option["const"] for option in node.get("oneOf", []) if "const" in option}


def props(schema: Dict[str, Any], node: Dict[str, Any]) -> Set[str]:
    """The properties of an object schema, through ``$ref`` and ``allOf``."""
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    out = set(node.get("properties", {}))
    for part in node.get("allOf", []):
        out |= props(schema, part)
    return out


def variants(name: str) -> List[Tuple[str, Set[str]]]:
    schema = load(name)
    return [(v["properties"]["type"]["const"], props(schema, v)) for v in schema["oneOf"]]


def camel(tag: str) -> str:
    return "".join(part.capitalize() for part in tag.split("_"))


def test_every_schema_object_has_a_typed_dict_with_the_same_keys() -> None:
    defs = all_defs()
    objects = {n for n, d in defs.items() if d.get("type") == "object" and "properties" in d}
    assert objects == set(OBJECTS), "map the new schema objects to their TypedDicts"
    for rust, py in OBJECTS.items():
        assert keys_of(getattr(types, py)) == set(defs[rust]["properties"]), (rust, py)
    # The config itself; "$schema" (for editors, ignored by the engine) is not a
    # Python identifier and is left out of the TypedDict.
    config = set(load("config.schema.json")["properties"]) - {"$schema"}
    assert keys_of(types.ConfigDict) == config


def test_every_schema_enumeration_has_a_literal_with_the_same_values() -> None:
    defs = all_defs()
    enums = {n for n, d in defs.items() if enum_values(d) and "properties" not in d}
    assert enums == set(ENUMS), "map the new schema enumerations to their Literals"
    for rust, py in ENUMS.items():
        assert set(typing.get_args(getattr(types, py))) == enum_values(defs[rust]), (rust, py)


def test_inputs_match_their_typed_dicts_and_classes() -> None:
    found = variants("input.schema.json")
    assert {tag for tag, _ in found} == set(typing.get_args(types.InputType))
    for tag, fields in found:
        td = getattr(types, f"{camel(tag)}Dict")
        assert keys_of(td) == fields, tag
        cls = getattr(openlines, camel(tag))
        assert set(cls.__match_args__) == fields - {"type"}, tag


def test_actions_match_their_classes() -> None:
    found = variants("action.schema.json")
    assert {tag for tag, _ in found} == set(typing.get_args(types.ActionType))
    for tag, fields in found:
        cls = getattr(openlines, camel(tag))
        assert set(cls.__match_args__) == fields - {"type"}, tag


def python_blocks(path: Path) -> List[str]:
    import re

    return re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), re.S | re.M)


def test_examples_are_python_3_9_syntax() -> None:
    """The package supports 3.9: the READMEs' examples and the example host must not
    use newer syntax (``match``, parenthesised context managers, ...)."""
    sources = [(f"{readme}[{i}]", block)
               for readme in (REPO / "README.md", REPO / "python" / "README.md")
               for i, block in enumerate(python_blocks(readme))]
    sources += [(str(p), p.read_text(encoding="utf-8")) for p in (REPO / "examples" / "python").glob("*.py")]
    assert len(sources) >= 3
    for name, source in sources:
        try:
            ast.parse(source, feature_version=(3, 9))
        except SyntaxError as e:
            raise AssertionError(f"{name}: not Python 3.9 syntax: {e}") from e


def test_the_schemas_accept_what_the_engine_accepts() -> None:
    """An editor validating with the schemas must not flag what the engine takes: every
    config and every input of the scenario files (those not meant to be refused as
    malformed) and every example config fits its schema; a malformed input does not."""
    import jsonschema

    validator = jsonschema.Draft202012Validator
    config = validator(load("config.schema.json"))
    inputs = validator(load("input.schema.json"))
    files = sorted((REPO / "tests" / "scenarios").glob("*.json")) + [REPO / "examples" / "demo.json"]
    assert len(files) > 50
    checked = 0
    for path in files:
        scenario = json.loads(path.read_text(encoding="utf-8"))
        problems = [e.message for e in config.iter_errors(scenario["config"])]
        assert not problems, f"{path.name}: config: {problems[:3]}"
        for i, step in enumerate(scenario["steps"]):
            if "input" in step and step.get("expect_error") != "invalid_input":
                problems = [e.message for e in inputs.iter_errors(step["input"])]
                assert not problems, f"{path.name}: steps[{i}].input: {problems[:3]}"
                checked += 1
    assert checked > 500
    for name in ("c/config.json", "simulation/support.json", "simulation/least-busy-3.json"):
        data = json.loads((REPO / "examples" / name).read_text(encoding="utf-8"))
        assert not list(config.iter_errors(data)), name
    assert list(inputs.iter_errors({"type": "rate", "dialog": 1, "score": 9}))
    assert list(inputs.iter_errors({"type": "acept", "dialog": 1, "operator": "ann"}))
    assert list(config.iter_errors({"lines": [{"id": "s", "greting": {}}]}))
    assert list(config.iter_errors({"lines": [{"id": "s", "queue": {"forward_after_secs": 0}}]}))
