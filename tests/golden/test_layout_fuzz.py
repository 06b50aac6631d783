"""emit/layout.py against black on random type hints: whatever a layout function gives, black leaves as
it is, or format.black_would_change says black would change it (then black formats the file, which
is slower but right). A layout black changes and the check does not flag would be written unformatted.

The hints are the shapes the generator writes: names of any length, `list[...]`, `dict[str, ...]`
and unions, nested up to three levels, as parameters, fields, return types and operation constants.
"""

from __future__ import annotations

import os
from typing import Any

import black
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from generator.emit import layout
from generator.emit.format import black_mode, black_would_change
from generator.model.api import Field, TypeRef

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20")) * 50  # 1,000 a function: each is milliseconds
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])

names = st.text("abcdefghij", min_size=3, max_size=70).map(lambda tail: "N" + tail)
hints = st.recursive(
    st.one_of(st.sampled_from(["str", "int", "Any"]), names),
    lambda inner: st.one_of(
        inner.map(lambda h: f"list[{h}]"),
        inner.map(lambda h: f"dict[str, {h}]"),
        st.lists(inner, min_size=2, max_size=4).map(" | ".join),
    ),
    max_leaves=6,
)


def holds(source: str) -> bool:
    """Black leaves the source as it is, or the fast path knows it would not."""
    return black.format_str(source, mode=black_mode()) == source or black_would_change(source)


@SETTINGS
@given(name=names, hint=hints, optional=st.booleans())
def test_parameters(name: str, hint: str, optional: bool) -> None:
    hint = f"{hint} | None" if optional else hint
    line = layout.parameter(name[:50], hint, optional)
    assert holds(f"class K:\n    def f(\n        self,\n{line}\n    ) -> None:\n        pass\n")


@SETTINGS
@given(name=names, hint=hints, default=st.booleans(), alias=st.booleans())
def test_fields(name: str, hint: str, default: bool, alias: bool) -> None:
    name = name[:50]
    field = Field(name, name.upper() if alias else name, TypeRef(hint, hint), not default, False, None)  # type: ignore[arg-type]
    assert holds(f"class K:\n{layout.field(field)}\n")


@SETTINGS
@given(hint=hints, wrapped=st.booleans())
def test_return_types(hint: str, wrapped: bool) -> None:
    hint = f"ApiResponse[{hint}]" if wrapped else hint
    assert holds(f"class K:\n    def f(\n        self,\n{layout.returns(hint)}\n        pass\n")


@SETTINGS
@given(name=names, hint=hints)
def test_operation_constants(name: str, hint: str) -> None:
    opening, indent, closing = layout.operation_constant("_" + name[:40].upper(), hint)
    assert holds(f"{opening}\n{' ' * indent}a=1,\n{closing}\n")


@SETTINGS
@given(name=names, members=st.lists(names, min_size=2, max_size=5))
def test_union_aliases(name: str, members: list[Any]) -> None:
    text = layout.alias(name[:40], " | ".join([*members, "ApiModel"]))
    assert holds(f"if TYPE_CHECKING:\n{text}\n")
