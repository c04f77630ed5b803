"""Dict inputs take a fast path (read straight into the core's input) that must agree
with the JSON path (Python value -> JSON -> the core's parser) on every dict: the same
input, or the same exception class and message naming the field.

A `types.MappingProxyType` is a Mapping but not a dict, so it always takes the JSON
path: comparing a dict with its proxy compares the two paths.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Dict, Tuple

from hypothesis import given, settings
from hypothesis import strategies as st

import openlines
from conftest import T0, basic_config

KINDS = [
    "client_message", "operator_message", "accept", "skip", "transfer", "close", "pin",
    "rate", "presence", "bot_handoff", "bot_resolved", "set_line", "set_operator",
    "forget_client", "tick",
]
FIELDS = [
    "line", "client", "text", "channel", "can_reply", "crm", "priority", "language",
    "skills", "dialog", "operator", "hidden", "to_operator", "to_line", "pinned", "score",
    "status", "id", "found", "responsible", "typo",
]

ATOMS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 5, 6, 255, 256, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 2**64 - 1, 2**64, -1]),
    st.floats(),
    st.sampled_from(["ann", "sales", "online", "break", "dismissed", "Online", "", "\ud800", "tg:1"]),
    st.text(max_size=4),
    st.builds(set),
)
VALUES = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.sampled_from(["found", "responsible", "id", "typo"]), inner, max_size=3),
    ),
    max_leaves=6,
)
KEYS = st.one_of(st.sampled_from(FIELDS), st.sampled_from(["type"]), st.integers(0, 2))


@st.composite
def valid_ish(draw: Any) -> Dict[Any, Any]:
    """A valid input of a random kind, then maybe one field changed, added or dropped."""
    kind = draw(st.sampled_from(KINDS))
    d: Dict[Any, Any] = {"type": kind}
    dialog = draw(st.integers(0, 2**64 - 1))
    op = draw(st.sampled_from(["ann", "bob", ""]))
    if kind == "client_message":
        optional = {
            "line": "sales", "client": "tg:1", "text": "hi", "channel": "web",
            "can_reply": draw(st.booleans()),
            "crm": draw(st.one_of(st.none(), st.fixed_dictionaries(
                {}, optional={"found": st.booleans(), "responsible": st.one_of(st.none(), st.just("ann"))}))),
            "priority": draw(st.integers(-(2**31), 2**31 - 1)), "language": "en",
            "skills": draw(st.one_of(st.lists(st.just("vip"), max_size=2), st.tuples(st.just("a")))),
        }
        for k, v in optional.items():
            if draw(st.booleans()):
                d[k] = v
    elif kind in ("operator_message", "accept", "skip", "close", "pin", "transfer"):
        d.update(dialog=dialog, operator=op)
        if kind == "operator_message" and draw(st.booleans()):
            d["hidden"] = draw(st.booleans())
        if kind == "pin" and draw(st.booleans()):
            d["pinned"] = draw(st.booleans())
        if kind == "transfer":
            for k in ("to_operator", "to_line"):
                if draw(st.booleans()):
                    d[k] = draw(st.one_of(st.none(), st.just("bob")))
    elif kind == "rate":
        d.update(dialog=dialog, score=draw(st.integers(0, 300)))
    elif kind == "presence":
        d.update(operator=op, status=draw(st.sampled_from(
            ["online", "away", "break", "offline", "vacation", "dismissed", "gone"])))
    elif kind in ("bot_handoff", "bot_resolved"):
        d["dialog"] = dialog
    elif kind == "forget_client":
        d["client"] = "tg:1"
    elif kind == "set_line":
        d["line"] = {"id": "night"}
    elif kind == "set_operator":
        d["operator"] = {"id": "cid", "max_dialogs": 2}
    change = draw(st.sampled_from(["none", "none", "set", "drop"]))
    if change == "set":
        d[draw(KEYS)] = draw(VALUES)
    elif change == "drop" and len(d) > 1:
        del d[draw(st.sampled_from(sorted(str(k) for k in d)))]
    return d


def outcome(data: Any) -> Tuple[Any, ...]:
    try:
        inp = openlines.Input.from_dict(data)
    except Exception as e:  # noqa: BLE001 - the class and message are compared
        return ("error", type(e), str(e))
    return ("ok", type(inp), inp.to_json(), inp)


def check_same(d: Dict[Any, Any]) -> None:
    fast = outcome(d)
    slow = outcome(MappingProxyType(d))
    assert fast == slow, (d, fast, slow)


@settings(max_examples=600, deadline=None)
@given(valid_ish())
def test_valid_ish_dicts_agree(d: Dict[Any, Any]) -> None:
    check_same(d)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.sampled_from(KINDS + ["wave"]), VALUES), st.dictionaries(KEYS, VALUES, max_size=4))
def test_random_dicts_agree(kind: Any, fields: Dict[Any, Any]) -> None:
    check_same({"type": kind, **fields})
    check_same(fields)


TYPED = {
    kind: getattr(openlines, "".join(part.title() for part in kind.split("_")))
    for kind in KINDS
}


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(KINDS), st.data())
def test_typed_constructors_agree_with_the_json_path(kind: str, data: Any) -> None:
    """A typed input's constructor (which reads its fields like a dict input) builds
    exactly the input the JSON path builds from the same fields, and refuses every
    value the JSON path refuses."""
    cls = TYPED[kind]
    names = cls.__match_args__
    kwargs = data.draw(st.fixed_dictionaries(
        {}, optional={name: st.one_of(VALUES, st.sampled_from(["ann", "sales", "online", 1, 7]))
                      for name in names}))
    try:
        built = cls(**kwargs)
    except TypeError:
        # The constructor checks each field's Python type first, more strictly than
        # the JSON path (which, say, gives a left-out string its default).
        return
    except (openlines.Error, ValueError):
        built = None
    given_fields = {k: v for k, v in kwargs.items() if v is not None}
    slow = outcome(MappingProxyType({"type": kind, **given_fields}))
    if built is None:
        assert slow[0] == "error", (kind, kwargs, slow)
    else:
        assert slow[0] == "ok" and slow[3] == built, (kind, kwargs, slow, built)


def test_handle_and_handle_many_share_the_conversion() -> None:
    good = {"type": "client_message", "line": "sales", "client": "tg:1", "skills": ("vip",)}
    bad = {"type": "accept", "dialog": 1, "operator": 7}
    e1 = openlines.Engine(basic_config())
    e2 = openlines.Engine(basic_config())
    assert e1.handle(T0, good) == e2.handle_many([(T0, good)])[0]
    errors = []
    for call in (lambda: e1.handle(T0, bad), lambda: e2.handle_many([(T0, bad)])):
        try:
            call()
        except openlines.InputError as e:
            errors.append(str(e))
    assert len(errors) == 2 and errors[0] == errors[1] and errors[0].startswith("operator: ")
