"""ApiModel: the pydantic base of every generated model; JSON and dict round trips by wire name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


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
    def from_json(cls, json_data: str | bytes) -> Self:
        """Parse and validate a JSON document (wire names)."""
        return cls.model_validate_json(json_data)

    def to_json(self) -> str:
        """Compact JSON by wire name, unset (None) fields left out, extra fields kept."""
        return self.model_dump_json(by_alias=True, exclude_none=True)

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Self:
        """Validate a dict (wire names or Python names)."""
        return cls.model_validate(obj)

    def to_dict(self) -> dict[str, Any]:
        """A dict by wire name: unset (None) fields left out, extra fields kept, models nested."""
        return self.model_dump(by_alias=True, exclude_none=True)

    def to_str(self) -> str:
        """The model as indented JSON text, for printing."""
        return self.model_dump_json(by_alias=True, exclude_none=True, indent=2)
