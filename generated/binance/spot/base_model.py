"""ApiModel: the pydantic base of every generated model; JSON and dict round trips by wire name.

Discriminated: what makes a union alias of the models package parse by its discriminator.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Annotated, Any, Union

# typing.Self is Python 3.11's; typing_extensions (a dependency of pydantic) has it for 3.10. Used
# as typing_extensions.Self: ruff's UP035 would turn a `from typing_extensions import Self` into
# typing's wherever the target version is 3.11.
import typing_extensions
from pydantic import BaseModel, ConfigDict, Discriminator, GetCoreSchemaHandler, Tag
from pydantic_core import CoreSchema


class ApiModel(BaseModel):
    """A schema of the API as a pydantic model.

    Fields are populated by wire name (alias) or Python name; unknown fields the server adds are
    kept (extra="allow"), so a newer server never breaks parsing and `to_dict` gives them back.
    Assignments are not validated: models are data, and re-validation would cost on every set.
    """

    model_config = ConfigDict(
        populate_by_name=True,
        extra="allow",
        validate_assignment=False,
        protected_namespaces=(),
    )

    @classmethod
    def from_json(cls, json_data: str | bytes) -> typing_extensions.Self:
        """Parse and validate a JSON document (wire names)."""
        return cls.model_validate_json(json_data)

    def to_json(self) -> str:
        """Compact JSON by wire name, unset (None) fields left out, extra fields kept."""
        return self.model_dump_json(by_alias=True, exclude_none=True)

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> typing_extensions.Self:
        """Validate a dict (wire names or Python names)."""
        return cls.model_validate(obj)

    def to_dict(self) -> dict[str, Any]:
        """A dict by wire name: unset (None) fields left out, extra fields kept, models nested."""
        return self.model_dump(by_alias=True, exclude_none=True)

    def to_str(self) -> str:
        """The model as indented JSON text, for printing."""
        return self.model_dump_json(by_alias=True, exclude_none=True, indent=2)


# The tag of the fallback member: a value whose discriminator names no member.
_UNKNOWN = "*"


class Discriminated:
    """`Annotated` metadata for a oneOf/anyOf with a discriminator (OpenAPI's tagged union).

    The value of `prop` (a wire name) picks the member: `mapping` maps each value to a model
    class name of the package. A value the mapping does not name, or none, parses as a plain
    ApiModel that keeps every field: a kind of object the server adds later does not break the
    answer it arrives in. Members are looked up by name when pydantic first needs the schema,
    so the alias module imports none of them (no import cycles).
    """

    __slots__ = ("mapping", "prop")

    def __init__(self, prop: str, mapping: Mapping[str, str]) -> None:
        self.prop = prop
        self.mapping = dict(mapping)

    def tag(self, value: Any) -> str:
        """The member (class name) for a value: raw data by its property, a model by its class."""
        if isinstance(value, Mapping):
            key = value.get(self.prop)
            return self.mapping.get(key, _UNKNOWN) if isinstance(key, str) else _UNKNOWN
        name = type(value).__name__
        return name if isinstance(value, ApiModel) and name in self.mapping.values() else _UNKNOWN

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        models = importlib.import_module(".models", __package__)
        members: list[Any] = [
            Annotated[getattr(models, name), Tag(name)]
            for name in dict.fromkeys(self.mapping.values())
        ]
        members.append(Annotated[ApiModel, Tag(_UNKNOWN)])
        tagged: Any = Annotated[Union[tuple(members)], Discriminator(self.tag)]  # noqa: UP007
        return handler.generate_schema(tagged)

    def __repr__(self) -> str:
        return f"Discriminated({self.prop!r}, {self.mapping!r})"
