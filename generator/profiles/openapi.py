"""The profile of plain OpenAPI, and the Profile type every vendor's profile is an instance of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ListenKeyRule:
    """The REST operations of a listen-key lifecycle (create, keep alive, close) a helper wraps."""

    path_suffix: str  # the path the three operations share ends with it: /userDataStream
    preferred_path: str  # the one picked when the spec has several
    key_name: str  # the key's wire name in the create answer and the other two's parameters


@dataclass(frozen=True)
class Profile:
    name: str
    # Signing: an operation whose boolean `signed_extension` says so, else one with a parameter named
    # in `signed_when` in the query or a form, is signed; `signature_parameters` are filled in by the
    # runtime and left out of the method's signature.
    signed_extension: str | None = None
    signed_when: tuple[str, ...] = ()
    signature_parameters: tuple[str, ...] = ()
    # The API key header every signed request carries, whether or not the operation's security says
    # so (None: an operation sends what its security says, nothing more).
    signed_key_header: str | None = None
    # The credentials class: shipped in `runtime` under this name, or (None) generated, named after
    # the package. `env_prefix`: of the variables the docs read keys from (None: from the package).
    auth_class: str | None = None
    env_prefix: str | None = None
    # Error bodies: (code field, message field, only integer codes count), or None: from the error
    # responses' schemas. `error_example`: the body generated tests answer an error without one with.
    errors: tuple[str | None, str | None, bool] | None = None
    error_example: dict[str, Any] | None = None
    rate_limit_headers: tuple[str, ...] = ()
    listen_key: ListenKeyRule | None = None
    # An array parameter that declares neither `style` nor `explode` goes as JSON text (True), or as
    # OpenAPI's default style for its location says (False).
    json_arrays: bool = False
    # A request body offered both as JSON and as a form goes as a form (True), or as JSON (False).
    prefer_form: bool = False
    # Samples for parameters the vendor's docs give a usual value (recvWindow: 5000), by wire name:
    # used where the spec has no example and says nothing a made-up value could keep to.
    usual_samples: tuple[tuple[str, Any], ...] = ()

    def usual_sample(self, name: str) -> Any:
        return next((value for wire, value in self.usual_samples if wire == name), None)
    # A folder of runtime/ shipped beside the generic runtime, and what it provides: the runtime's
    # profile object ("module:NAME") and the module whose Configuration the package exports.
    runtime: str | None = None
    runtime_profile: str | None = None
    configuration_module: str = "configuration"


OPENAPI = Profile(name="openapi")
