"""Schemas -> TypeRefs and Models: which schemas become classes, their names, fields, imports, examples."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..diagnostics import (
    Diagnostic,
    child_pointer,
    parts_from_pointer,
    pointer_from_parts,
    printable,
    warning,
)
from . import samples as examples
from .api import Field, Model, SpecText, Subclasses, TypeRef, UnionModel
from .naming import Namer, case_kept_field, class_name, field_name, import_order, module_name

ANY = TypeRef("Any", "**object**", uses_any=True)
FREE_FORM = TypeRef("dict[str, Any]", "**object**", uses_any=True)
NONE = TypeRef("None", "**None**", nullable=True)
_PRIMITIVES = {
    "string": TypeRef("str", "**str**"),
    "integer": TypeRef("int", "**int**"),
    "number": TypeRef("float", "**float**"),
    "boolean": TypeRef("bool", "**bool**"),
}
# Python types of spec primitives, for checking that an example fits before it becomes test code.
_EXAMPLE_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (int, float), "bool": (bool,),
}
# A type or an example nested deeper than this is not used (typed Any, replaced by a made-up one):
# Python's parser allows 200 nested brackets, the recursion limit ~1000 frames, and no real API
# comes close.
MAX_NESTING = 32

Locate = Callable[[str], tuple[str, int | None, int | None]]


def text(value: Any) -> SpecText | None:
    """Spec text, marked untrusted; None for missing or non-string values."""
    return SpecText(value) if isinstance(value, str) and value != "" else None


@dataclass
class _Pending:
    pointer: str
    schema: dict[str, Any]
    class_name: str
    schema_name: str
    module: str


@dataclass
class Schemas:
    """Resolves schemas in one bundled document, creating a Model for every object schema it meets."""

    document: dict[str, Any]
    locate: Locate
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _by_pointer: dict[str, str] = field(default_factory=dict)
    _pending: list[_Pending] = field(default_factory=list)
    _models: dict[str, Model] = field(default_factory=dict)
    _namer: Namer = field(default_factory=Namer)
    _modules: Namer = field(default_factory=lambda: Namer(separator="_"))
    # Examples by schema pointer, of those made without meeting a recursion or depth limit (which
    # depend on the way the schema was reached); and how many times a limit was met so far.
    _examples: dict[str, Any] = field(default_factory=dict)
    _cuts: int = 0
    _unions: dict[str, UnionModel] = field(default_factory=dict)
    # Lookups over the document, which the build never changes: a `$ref` -> (node, pointer), and
    # the merged properties of a schema (keyed by its pointer and identity). Spot asks each many times.
    _refs: dict[str, tuple[Any, str]] = field(default_factory=dict)
    _properties: dict[tuple[str, int], dict[str, tuple[Any, str]]] = field(default_factory=dict)
    method_names: Namer = field(default_factory=Namer)  # the current API class's
    # Subclassing (allOf with a $ref to a schema with a discriminator): the components that are
    # subclasses, by their base's pointer; each model's pointer; warnings already given.
    _children: dict[str, list[str]] | None = None
    _model_pointers: dict[str, str] = field(default_factory=dict)
    _warned: set[tuple[str, str]] = field(default_factory=set)

    # -- references ------------------------------------------------------------------------------
    def resolve(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follow `$ref`s (all local after loading) to the node they name; returns (node, its pointer)."""
        if not (isinstance(node, dict) and "$ref" in node):  # most nodes: 30,000 calls on Spot
            return node, pointer
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:  # load.py refuses cycles; this keeps build total anyway
                return {}, pointer
            seen.add(ref)
            known = self._refs.get(ref)
            if known is None:
                known = self._refs[ref] = self._follow(ref)
            node, pointer = known
        return node, pointer

    def _follow(self, ref: str) -> tuple[Any, str]:
        """The node one local `$ref` names ({} if there is none), and its pointer."""
        pointer = ref if ref.startswith("#") else "#"
        node: Any = self.document
        for part in parts_from_pointer(pointer):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return {}, pointer
        return node, pointer

    def warn(self, message: str, pointer: str) -> None:
        file, line, column = self.locate(pointer)
        self.diagnostics.append(warning(printable(message), file, line, column, printable(pointer)))

    def _warn_once(self, message: str, pointer: str) -> None:
        if (message, pointer) not in self._warned:
            self._warned.add((message, pointer))
            self.warn(message, pointer)

    @property
    def class_names(self) -> Namer:
        """The one namespace of classes: models and API classes are both exported by the package."""
        return self._namer

    # -- registration ------------------------------------------------------------------------------
    def register_components(self) -> None:
        """Every object schema under components/schemas becomes a model, in name order."""
        components = self.document.get("components")
        found = components.get("schemas") if isinstance(components, dict) else None
        schemas: dict[str, Any] = found if isinstance(found, dict) else {}
        for name in sorted(schemas):
            pointer = pointer_from_parts(("components", "schemas", name))
            schema, target = self.resolve(schemas[name], pointer)
            # A component that refers to another component is that one (registered under its own
            # name); one that refers into another file takes the component's name.
            aliased = target != pointer and target.startswith("#/components/schemas/")
            # A subclass is a model even when it adds nothing to its base (`allOf: [{$ref: Pet}]`).
            if not aliased and (_is_object(schema, named=True) or self.base_of(schema, target) is not None):
                self._register(target, schema, name)

    def _register(self, pointer: str, schema: dict[str, Any], name: str) -> str:
        existing = self._by_pointer.get(pointer)
        if existing is not None:
            return existing
        claimed = self._namer.claim(class_name(name))
        self._by_pointer[pointer] = claimed
        module = self._modules.claim(module_name(claimed))
        self._pending.append(_Pending(pointer, schema, claimed, name, module))
        return claimed

    # -- types ----------------------------------------------------------------------------------
    def type_of(self, schema: Any, pointer: str, inline_name: str) -> TypeRef:
        """The TypeRef for a schema; an inline object with properties becomes a model named inline_name."""
        return self._type_of(schema, pointer, inline_name, frozenset())

    def _type_of(self, schema: Any, pointer: str, inline_name: str, visiting: frozenset[str]) -> TypeRef:
        if not isinstance(schema, dict):
            return ANY
        named_ref = isinstance(schema.get("$ref"), str)
        resolved, target = self.resolve(schema, pointer)
        if not isinstance(resolved, dict):
            return ANY
        if target in visiting:  # a cycle of non-model aliases (an array of itself): no finite type
            return ANY
        if len(visiting) >= MAX_NESTING:
            self.warn(f"schema nests deeper than {MAX_NESTING} levels: typed as Any", target)
            return ANY
        visiting = visiting | {target}
        found = self._declared_type(resolved, target, named_ref, inline_name, visiting)
        # 3.0 `nullable: true`, 3.1 `type: [..., "null"]`: the type itself admits None (list items too).
        return _or_none(found) if _nullable(resolved) else found

    def _declared_type(self, resolved: dict[str, Any], target: str, named_ref: bool, inline_name: str,
                       visiting: frozenset[str]) -> TypeRef:
        known = self._by_pointer.get(target)
        if known is not None:
            return _named(known)
        if named_ref and _is_object(resolved, named=True):
            ref_name = parts_from_pointer(target)[-1] if parts_from_pointer(target) else inline_name
            return _named(self._register(target, resolved, ref_name))
        for keyword in ("allOf", "oneOf", "anyOf"):
            options = resolved.get(keyword)
            if isinstance(options, list) and len(options) == 1 and not resolved.get("properties"):
                return self._type_of(options[0], f"{target}/{keyword}/0", inline_name, visiting)
        single = _single_member(resolved)
        if single is not None:  # allOf: [{$ref: X}, {nullable: true}]: X, made nullable by _nullable
            return self._type_of(resolved["allOf"][single], f"{target}/allOf/{single}", inline_name, visiting)
        alternatives = _alternatives(resolved)
        if alternatives is not None:
            return self._union(resolved, target, *alternatives, inline_name, visiting)
        kinds = _kinds(resolved)
        if len(kinds) > 1:  # 3.1 `type: [string, integer]`
            return _join([self._shaped(resolved, target, kind, inline_name, visiting) for kind in kinds])
        return self._shaped(resolved, target, kinds[0] if kinds else None, inline_name, visiting)

    def _shaped(self, resolved: dict[str, Any], target: str, kind: Any, inline_name: str,
                visiting: frozenset[str]) -> TypeRef:
        """The type of a schema of one `type` (or none)."""
        if kind == "null":
            return NONE
        if kind == "array":
            item = self._type_of(resolved.get("items", {}), f"{target}/items", f"{inline_name}Item", visiting)
            return TypeRef(f"list[{item.hint}]", _list_doc(item), item.models, item.uses_any)
        if kind in _PRIMITIVES:
            return _PRIMITIVES[kind]
        if _is_object(resolved, named=False):
            return _named(self._register(target, resolved, inline_name))
        extra = resolved.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            value = self._type_of(extra, f"{target}/additionalProperties", f"{inline_name}Value", visiting)
            doc = f"**dict[str, {_md_bars(value.hint)}]**" if not value.models else f"dict[str, {value.doc}]"
            return TypeRef(f"dict[str, {value.hint}]", doc, value.models, value.uses_any)
        if kind == "object" or "properties" in resolved:
            return FREE_FORM
        return ANY

    # -- unions ------------------------------------------------------------------------------------
    def _union(self, resolved: dict[str, Any], target: str, keyword: str, options: list[Any],
               inline_name: str, visiting: frozenset[str]) -> TypeRef:
        """oneOf/anyOf of several schemas: `A | B`, or with a usable discriminator a union alias."""
        types = [self._type_of(option, f"{target}/{keyword}/{index}", f"{inline_name}Option{index + 1}", visiting)
                 for index, option in enumerate(options)]
        if any(t.hint == "Any" for t in types):
            self.warn(f"{keyword} member without a type: the whole {keyword} is typed as Any", target)
            return ANY
        if isinstance(resolved.get("discriminator"), dict):
            alias = self._discriminated(resolved, target, keyword, options, types, inline_name)
            if alias is not None:
                return alias
        return _join(types)

    def _discriminated(self, resolved: dict[str, Any], target: str, keyword: str, options: list[Any],
                       types: list[TypeRef], inline_name: str) -> TypeRef | None:
        """A union alias told apart by the discriminator, if every member is an object model that
        has its property; None (a plain union, with a warning) if not."""
        prop = resolved["discriminator"].get("propertyName")
        if not isinstance(prop, str) or not prop:
            return None
        members: dict[str, str] = {}  # member pointer -> class name
        for index, (option, member_type) in enumerate(zip(options, types, strict=True)):
            member, member_pointer = self.resolve(option, f"{target}/{keyword}/{index}")
            is_model = member_type.models == (member_type.hint,) and isinstance(member, dict)
            if not (is_model and prop in _merged_properties(self, member, member_pointer)):
                self.warn(f"discriminator {prop!r}: {keyword} member {index} is not an object model with "
                          "that property: a plain union (tried member by member)", target)
                return None
            members.setdefault(member_pointer, member_type.hint)
        if len(set(members.values())) != len(options):
            return None
        mapping: dict[str, str] = {}
        for value, pointer in self.discriminator_values(resolved, target, keyword, warn=True).items():
            mapping[value] = members[pointer]
        if set(mapping.values()) != set(members.values()):  # a member no value names could never be picked
            self.warn(f"discriminator {prop!r}: no value names {keyword} member(s) "
                      f"{', '.join(sorted(set(members.values()) - set(mapping.values())))}: a plain union "
                      "(tried member by member)", target)
            return None
        name = self._by_pointer.get(target)
        if name is None:
            parts = parts_from_pointer(target)
            schema_name = parts[-1] if target.startswith("#/components/schemas/") and parts else inline_name
            name = self._namer.claim(class_name(schema_name))
            self._by_pointer[target] = name
            self._unions[name] = UnionModel(
                class_name=name,
                module=self._modules.claim(module_name(name)),
                schema_name=SpecText(schema_name),
                description=text(resolved.get("description")),
                members=tuple(dict.fromkeys(members.values())),
                discriminator=SpecText(prop),
                mapping=tuple((SpecText(value), member) for value, member in mapping.items()),
            )
        return _named(name)

    def discriminator_values(self, resolved: dict[str, Any], target: str, keyword: str,
                             warn: bool = False) -> dict[str, str]:
        """Discriminator value -> member pointer: the explicit mapping (entries that name a member),
        then, for each member no entry names, its component name (OpenAPI's implicit mapping)."""
        options = resolved.get(keyword)
        pointers = [self.resolve(option, f"{target}/{keyword}/{index}")[1]
                    for index, option in enumerate(options if isinstance(options, list) else ())]
        values: dict[str, str] = {}
        explicit = _get(resolved.get("discriminator"), "mapping")
        for value, ref in (explicit.items() if isinstance(explicit, dict) else ()):
            pointer = ref if isinstance(ref, str) and ref.startswith("#") else \
                pointer_from_parts(("components", "schemas", str(ref)))
            if pointer in pointers:
                values[str(value)] = pointer
            elif warn:
                self.warn(f"discriminator mapping {str(value)!r} names no member of the {keyword}: "
                          "left out", f"{target}/discriminator/mapping")
        prop = _get(resolved.get("discriminator"), "propertyName")
        for index, pointer in enumerate(pointers):
            if pointer in values.values():
                continue
            # A member that pins the property to one value (`const`, or an enum of one, as OpenAI
            # writes inline members) names itself; else a component is named by its name.
            member = self.resolve(options[index], f"{target}/{keyword}/{index}")[0] \
                if isinstance(options, list) else None
            pinned = self._pinned(member, pointer, prop) if isinstance(member, dict) and isinstance(prop, str) else None
            parts = parts_from_pointer(pointer)
            implicit = parts[-1] if pointer.startswith("#/components/schemas/") and len(parts) == 3 else None
            value = pinned if pinned is not None else implicit
            if value is not None and value not in values:
                values[value] = pointer
        return values

    def _pinned(self, member: dict[str, Any], pointer: str, prop: str) -> str | None:
        """The one value a member allows for the discriminator property, if it allows one."""
        found = _merged_properties(self, member, pointer).get(prop)
        if found is None:
            return None
        schema = self.resolve(*found)[0]
        if not isinstance(schema, dict):
            return None
        enum = schema.get("enum")
        value = schema.get("const", enum[0] if isinstance(enum, list) and len(enum) == 1 else None)
        return value if isinstance(value, str) else None

    # -- models ------------------------------------------------------------------------------------
    def build_models(self) -> tuple[Model, ...]:
        """Turn every registered schema into a Model; fields may register more (nested inline objects)."""
        while self._pending:
            pending = self._pending.pop(0)
            self._model_pointers[pending.class_name] = pending.pointer
            self._models[pending.class_name] = self._model(pending)
        self._subclassing()
        return _order_imports(self._models, self.modules())

    def modules(self) -> dict[str, str]:
        """Class name -> module under models/, of every model and union alias made so far."""
        found = {u.class_name: u.module for u in self._unions.values()}
        found.update((m.class_name, m.module) for m in self._models.values())
        return found

    def unions(self) -> tuple[UnionModel, ...]:
        """The discriminated union aliases met so far, by name, their members' modules filled in."""
        modules = self.modules()
        return tuple(replace(union, member_imports=tuple((m, modules[m]) for m in sorted(union.members)))
                     for union in (self._unions[name] for name in sorted(self._unions)))

    def _model(self, pending: _Pending) -> Model:
        schema, pointer = pending.schema, pending.pointer
        properties = self._ordered_properties(schema, pointer)
        required = set(_merged_required(self, schema, pointer))
        base = self.base_of(schema, pointer)
        inherited: dict[str, tuple[Any, str]] = {}
        if base is not None:  # the base's fields as the base declares them (a subclass cannot change them)
            inherited = self._ordered_properties(*base)
            required = (required - set(inherited)) | (set(_merged_required(self, *base)) & set(inherited))
            self._redeclared(schema, pointer, inherited, base)
        taken: set[str] = set()  # attribute names are case-sensitive: `E` beside `e` is kept as is
        fields: list[Field] = []
        for wire, (prop, prop_pointer) in properties.items():
            if not isinstance(prop, dict):
                continue
            python_name = field_name(wire)
            if python_name in taken:
                kept = case_kept_field(wire)
                python_name = kept if kept is not None and kept not in taken else _numbered(python_name, taken)
            taken.add(python_name)
            prop_type = self.type_of(prop, prop_pointer, pending.class_name + class_name(wire))
            resolved, _ = self.resolve(prop, prop_pointer)
            fields.append(Field(
                python_name=python_name,
                wire_name=SpecText(wire),
                type=prop_type,
                required=wire in required,
                nullable=isinstance(resolved, dict) and _nullable(resolved),
                description=text(prop.get("description") or _get(resolved, "description")),
                deprecated=bool(prop.get("deprecated")),
            ))
        base_class = None if base is None else self._register(base[1], base[0], parts_from_pointer(base[1])[-1])
        dependencies = sorted({m for f in fields for m in f.type.models if m != pending.class_name}
                              | ({base_class} if base_class is not None else set()))
        example = self.example_for(schema, pointer)
        return Model(
            class_name=pending.class_name,
            module=pending.module,
            schema_name=SpecText(pending.schema_name),
            description=text(schema.get("description")),
            fields=tuple(fields),
            imports=tuple((name, "") for name in dependencies),  # modules: _order_imports
            late_imports=(),
            uses_any=any(f.type.uses_any for f in fields),
            example=example if isinstance(example, dict) else None,  # example_for's: plain already
            base=None if base_class is None else (base_class, ""),  # its module: _subclassing
        )

    # -- subclasses --------------------------------------------------------------------------------
    def base_of(self, schema: Any, pointer: str, seen: frozenset[str] = frozenset()) -> tuple[dict[str, Any], str] | None:
        """(schema, pointer) of the model a schema subclasses: its first allOf member that is a `$ref`
        to an object schema with a discriminator, or to a subclass of one; None if it has none."""
        members = schema.get("allOf") if isinstance(schema, dict) else None
        if not isinstance(members, list):
            return None
        for index, member in enumerate(members):
            if not (isinstance(member, dict) and isinstance(member.get("$ref"), str)):
                continue
            target, target_pointer = self.resolve(member, f"{pointer}/allOf/{index}")
            if target_pointer in seen or target_pointer == pointer or not isinstance(target, dict):
                continue
            is_model = _is_object(target, named=True) and _alternatives(target) is None
            if (is_model and _discriminator(target) is not None) \
                    or self.base_of(target, target_pointer, seen | {pointer}) is not None:
                return target, target_pointer
        return None

    def _ordered_properties(self, schema: dict[str, Any], pointer: str,
                            seen: frozenset[str] = frozenset()) -> dict[str, tuple[Any, str]]:
        """A model's properties in the order of its fields: a subclass's base's first (as its base
        declares them), then the others."""
        properties = _merged_properties(self, schema, pointer)
        base = self.base_of(schema, pointer) if pointer not in seen else None
        if base is None:
            return properties
        inherited = self._ordered_properties(*base, seen | {pointer})
        return {**inherited, **{wire: found for wire, found in properties.items() if wire not in inherited}}

    def _redeclared(self, schema: dict[str, Any], pointer: str, inherited: dict[str, tuple[Any, str]],
                    base: tuple[dict[str, Any], str]) -> None:
        """Warn of a property the subclass declares again with another type or required-ness: its
        base's declaration stands (a subclass's field cannot change its base's type)."""
        own = _merged_properties(self, schema, pointer)
        required = set(_merged_required(self, schema, pointer)) - set(_merged_required(self, *base))
        for wire, (prop, prop_pointer) in own.items():
            if wire not in inherited or prop_pointer == inherited[wire][1]:
                continue
            mine, theirs = self.resolve(prop, prop_pointer), self.resolve(*inherited[wire])
            same = mine[1] == theirs[1] or (isinstance(mine[0], dict) and isinstance(theirs[0], dict)
                                            and "$ref" not in prop and _kinds(mine[0]) == _kinds(theirs[0]))
            if not same or wire in required:
                self.warn(f"property {wire!r} is declared by the base {parts_from_pointer(base[1])[-1]!r} too, "
                          f"{'required' if wire in required else 'with another type'}: the base's declaration "
                          "is kept", prop_pointer)

    def _subclass_values(self, schema: dict[str, Any], pointer: str) -> dict[str, str]:
        """A base's discriminator values -> the pointers of the components that subclass it (at any
        depth): the mapping's entries that name one, then each other one by its component name."""
        if self._children is None:
            self._children = {}
            components = _get(self.document.get("components"), "schemas")
            for name in sorted(components) if isinstance(components, dict) else ():
                own = pointer_from_parts(("components", "schemas", name))
                found, target = self.resolve(components[name], own)
                base = self.base_of(found, target) if target == own else None
                if base is not None:
                    self._children.setdefault(base[1], []).append(target)
        descendants, index = list(self._children.get(pointer, ())), 0
        while index < len(descendants):
            descendants.extend(d for d in self._children.get(descendants[index], ()) if d not in descendants)
            index += 1
        values: dict[str, str] = {}
        mapping = _get(schema.get("discriminator"), "mapping")
        for value, ref in (mapping.items() if isinstance(mapping, dict) and descendants else ()):
            named = ref if isinstance(ref, str) and ref.startswith("#") else \
                pointer_from_parts(("components", "schemas", str(ref)))
            target = self.resolve({"$ref": named}, named)[1]
            if target in descendants:
                values.setdefault(str(value), target)
            else:
                self._warn_once(f"discriminator mapping {str(value)!r} names {str(ref)!r}, which is not a "
                                "subclass of this schema (an allOf with a $ref to it): left out",
                                child_pointer(pointer, "discriminator", "mapping", str(value)))
        for descendant in descendants:
            if descendant not in values.values():
                values.setdefault(parts_from_pointer(descendant)[-1], descendant)
        return values

    def _subclassing(self) -> None:
        """Fill in each subclass's base module and each base's subclasses. A subclass in an import
        cycle with its base (the base refers back to it) cannot import it at the top of its module,
        as a class statement needs: it becomes one model of all its properties."""
        modules = self.modules()
        component = _cycles({name: [d for d, _ in m.imports if d in self._models] for name, m in self._models.items()})
        for name, model in self._models.items():
            if model.base is None:
                continue
            base = model.base[0]
            if component[base] != component[name]:
                self._models[name] = replace(model, base=(base, modules[base]))
                continue
            self._warn_once(f"{name} and its base {base} refer to each other: {name} is one model of all its "
                            f"properties, not a subclass of {base}", self._model_pointers[name])
            used = {m for f in model.fields for m in f.type.models}
            self._models[name] = replace(model, base=None, imports=tuple(i for i in model.imports if i[0] in used))
        for name, model in self._models.items():
            pointer = self._model_pointers[name]
            schema = self.resolve({"$ref": pointer}, pointer)[0]
            prop = _discriminator(schema)
            if prop is None:
                continue
            mapping = tuple((SpecText(value), modules[child], child)
                            for value, child in ((v, self._by_pointer.get(p)) for v, p in
                                                 self._subclass_values(schema, pointer).items())
                            if child is not None and self._inherits(child, name))
            if mapping:
                found = next((f for f in model.fields if f.wire_name == prop), None)
                python_name = found.python_name if found is not None and found.python_name != prop else None
                self._models[name] = replace(model, subclasses=Subclasses(SpecText(prop), python_name, mapping))

    def _inherits(self, name: str, base: str) -> bool:
        """Whether the model `name` is a subclass of `base` (at any depth)."""
        seen = {name}
        model = self._models.get(name)
        while model is not None and model.base is not None and model.base[0] not in seen:
            if model.base[0] == base:
                return True
            seen.add(model.base[0])
            model = self._models.get(model.base[0])
        return False

    # -- examples ----------------------------------------------------------------------------------
    def example_for(self, schema: Any, pointer: str, visiting: frozenset[str] = frozenset()) -> Any:
        """A sample value for a schema: the spec's own example where it fits the type, else one made up.

        A schema met again inside itself (recursion) gives no example: an optional property is left
        out, and an object whose required property cannot be given one has no example either.
        """
        resolved, target = self.resolve(schema, pointer)
        if not isinstance(resolved, dict):
            return None
        if target in visiting or len(visiting) > 8:
            self._cuts += 1
            return None
        if target in self._examples:
            return self._examples[target]
        cuts = self._cuts
        made = self._example(resolved, target, visiting | {target})
        if self._cuts == cuts:  # the same however the schema was reached: share it (never changed)
            self._examples[target] = made
        return made

    def _example(self, resolved: dict[str, Any], target: str, visiting: frozenset[str]) -> Any:
        kinds = _kinds(resolved)
        kind = kinds[0] if kinds else None  # of a 3.1 type array, the first
        enum = resolved.get("enum")
        default = resolved.get("default")
        listed = resolved.get("examples")  # 3.1 (JSON Schema): a list of examples
        for given in (resolved.get("const"), _parse_json_text(resolved.get("example")),
                      *(listed if isinstance(listed, list) else ()),
                      enum[0] if isinstance(enum, list) and enum else None, None if default == "" else default):
            if given is not None and self.conforms(given, resolved, target):
                return examples.plain(given)
        alternatives = _alternatives(resolved)
        if alternatives is not None:
            return self._union_example(resolved, target, *alternatives, visiting)
        single = _single_member(resolved)
        if single is not None:
            return self.example_for(resolved["allOf"][single], f"{target}/allOf/{single}", visiting)
        if kind == "array":
            item = self.example_for(resolved.get("items", {}), f"{target}/items", visiting)
            return [] if item is None else [item]
        if kind in ("string", "integer", "number", "boolean"):
            return examples.synthetic(kind, resolved)
        properties = _merged_properties(self, resolved, target)
        if properties:
            made = {}
            required = set(_merged_required(self, resolved, target))
            for wire, (prop, prop_pointer) in properties.items():
                value = self.example_for(prop, prop_pointer, visiting)
                if value is not None:
                    made[wire] = value
                elif wire in required:
                    return None
            return self._tagged(resolved, target, made, visiting)
        if kind == "object":
            return {}
        if kind is None and not any(key in resolved for key in _TYPE_KEYWORDS):
            return "example"  # a schema without a type takes any value (OpenAI's untyped `metadata`)
        return None

    def _tagged(self, schema: dict[str, Any], pointer: str, made: dict[str, Any], visiting: frozenset[str]) -> Any:
        """A subclass's example carries the discriminator value that names it; a base's example whose
        value names a subclass is that subclass's (parsed, it is one)."""
        base = self.base_of(schema, pointer)
        while base is not None and _discriminator(base[0]) is None:
            base = self.base_of(*base)
        prop = _discriminator(base[0]) if base is not None else None
        if base is not None and prop is not None:
            tag = next((value for value, child in self._subclass_values(*base).items() if child == pointer), None)
            found = _merged_properties(self, schema, pointer).get(prop)
            if tag is not None and found is not None and self.conforms(tag, *found):
                made = {**made, prop: tag}
        prop = _discriminator(schema)
        child = self._subclass_values(schema, pointer).get(made[prop]) \
            if prop is not None and isinstance(made.get(prop), str) else None
        if child is not None and child != pointer:
            return self.example_for({"$ref": child}, child, visiting)
        return made

    def _union_example(self, resolved: dict[str, Any], target: str, keyword: str, options: list[Any],
                       visiting: frozenset[str]) -> Any:
        """The first member's example that can be made; with a discriminator, carrying its value."""
        prop = _get(resolved.get("discriminator"), "propertyName")
        tags = {pointer: value for value, pointer in
                reversed(self.discriminator_values(resolved, target, keyword).items())} if prop else {}
        for index, option in enumerate(options):
            made = self.example_for(option, f"{target}/{keyword}/{index}", visiting)
            if made is None:
                continue
            member_pointer = self.resolve(option, f"{target}/{keyword}/{index}")[1]
            if isinstance(made, dict) and member_pointer in tags:
                made = {**made, str(prop): tags[member_pointer]}
            return made
        return None

    def conforms(self, value: Any, schema: Any, pointer: str, depth: int = 0) -> bool:
        """Whether a value from the spec (an example, a default) fits its schema closely enough to
        become test data: the generated tests send it, parse it with the generated models and expect
        it back unchanged. Types, required properties, items, nullable, enums, const and oneOf/anyOf
        members are checked; a value for a schema without a type is taken if it is not nested too deep."""
        if depth > MAX_NESTING:
            return False
        resolved, target = self.resolve(schema, pointer)
        if not isinstance(resolved, dict):
            return _within(value, MAX_NESTING - depth)
        if value is None and _nullable(resolved):
            return True
        alternatives = _alternatives(resolved)
        if alternatives is not None:  # the value must fit a member (and what the union adds)
            keyword, options = alternatives
            if not any(self.conforms(value, option, f"{target}/{keyword}/{index}", depth + 1)
                       for index, option in enumerate(options)):
                return False
        if value is None:
            return alternatives is not None
        if isinstance(value, float) and not math.isfinite(value):
            return False
        enum = resolved.get("enum")
        if isinstance(enum, list) and enum and not any(_same(value, option) for option in enum):
            return False
        if "const" in resolved and not _same(value, resolved["const"]):
            return False
        members = resolved.get("allOf")
        for index, member in enumerate(members if isinstance(members, list) else ()):
            if not self.conforms(value, member, f"{target}/allOf/{index}", depth + 1):
                return False
        kinds = _kinds(resolved)
        if len(kinds) > 1:
            return any(self._fits_kind(value, resolved, target, kind, depth) for kind in kinds)
        return self._fits_kind(value, resolved, target, kinds[0] if kinds else None, depth)

    def _fits_kind(self, value: Any, resolved: dict[str, Any], target: str, kind: Any, depth: int) -> bool:
        if kind == "null":
            return False  # None was handled before
        if kind in _CHECKS:
            return _CHECKS[kind](value) and examples.within_constraints(value, resolved)
        if kind == "array":
            items = resolved.get("items", {})
            return isinstance(value, list) and all(
                self.conforms(item, items, f"{target}/items", depth + 1) for item in value)
        if kind == "object" or "properties" in resolved or "additionalProperties" in resolved:
            return isinstance(value, dict) and self._object_conforms(value, resolved, target, depth)
        return _within(value, MAX_NESTING - depth)

    def _object_conforms(self, value: dict[str, Any], schema: dict[str, Any], pointer: str, depth: int) -> bool:
        properties = _merged_properties(self, schema, pointer)
        required = set(_merged_required(self, schema, pointer))
        if not required <= set(value):
            return False
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                prop, prop_pointer = properties[key]
                # An optional property may be null: the model's field is `X | None` whatever the schema.
                if not ((item is None and key not in required)
                        or self.conforms(item, prop, prop_pointer, depth + 1)):
                    return False
            elif extra is False:
                return False
            elif isinstance(extra, dict):
                if not self.conforms(item, extra, f"{pointer}/additionalProperties", depth + 1):
                    return False
            elif not _within(item, MAX_NESTING - depth - 1):
                return False
        # A value whose discriminator names a subclass parses as that subclass: it must fit it too.
        prop = _discriminator(schema)
        child = self._subclass_values(schema, pointer).get(value[prop]) \
            if prop is not None and isinstance(value.get(prop), str) else None
        if child is not None and child != pointer:
            found, child_pointer = self.resolve({"$ref": child}, child)
            return isinstance(found, dict) and self._object_conforms(value, found, child_pointer, depth + 1)
        return True


def _numbered(name: str, taken: set[str]) -> str:
    """`name2`, `name3`, ...: the first not taken."""
    number = 2
    while f"{name}{number}" in taken:
        number += 1
    return f"{name}{number}"


def _kinds(schema: dict[str, Any]) -> list[Any]:
    """The schema's types other than null (["null"] for `type: "null"` alone); without a `type`, that
    of its `const`, or those of its `enum` values."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = list(dict.fromkeys(k for k in kind if k != "null" and isinstance(k, str)))
        return kinds or (["null"] if "null" in kind else [])
    if kind is None and "const" in schema:
        kind = _CONST_KINDS.get(type(schema["const"]))
        return [kind] if kind is not None else []
    if kind is None and isinstance(schema.get("enum"), list):  # an enum without `type`: its values' types
        found = [_CONST_KINDS.get(type(value)) for value in schema["enum"] if value is not None]
        if found and None not in found:
            kinds = list(dict.fromkeys(k for k in found if k is not None))
            return ["number"] if set(kinds) == {"integer", "number"} else kinds
    return [kind] if isinstance(kind, str) else []  # another `type` is the validator's to report


_CONST_KINDS: dict[type, str] = {
    str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "object",
    type(None): "null",
}


def _nullable(schema: dict[str, Any]) -> bool:
    """3.0 `nullable: true`, a 3.1 type array with "null", `type: "null"`, or a oneOf/anyOf with a
    null member written inline."""
    kind = schema.get("type")
    if schema.get("nullable") is True or kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if kind is None and isinstance(schema.get("enum"), list) and None in schema["enum"]:
        return True  # an enum without `type` that lists null
    members = schema.get("allOf")
    if isinstance(members, list) and any(_modifier_only(m) and m.get("nullable") is True for m in members):
        return True
    alternatives = _alternatives(schema)
    return alternatives is not None and any(
        isinstance(option, dict) and "$ref" not in option and _nullable(option) for option in alternatives[1])


# Keywords that describe or annotate a schema without constraining its values' type. An allOf member
# made of these alone (`{nullable: true}`, `{description: ...}`) modifies the other members.
_MODIFIERS = frozenset({"nullable", "description", "title", "default", "example", "examples", "deprecated",
                        "readOnly", "writeOnly", "externalDocs", "xml", "$comment"})


def _modifier_only(member: Any) -> bool:
    return isinstance(member, dict) and "$ref" not in member and all(
        key in _MODIFIERS or str(key).startswith("x-") for key in member)


def _single_member(schema: dict[str, Any]) -> int | None:
    """The index of the one allOf member that gives the type when the others only modify it (and
    the schema has no properties of its own); None otherwise."""
    members = schema.get("allOf")
    if not isinstance(members, list) or len(members) < 2 or schema.get("properties"):
        return None
    substantive = [index for index, member in enumerate(members) if not _modifier_only(member)]
    return substantive[0] if len(substantive) == 1 else None


def _alternatives(schema: dict[str, Any]) -> tuple[str, list[Any]] | None:
    """(keyword, members) of a oneOf/anyOf of several schemas that is the whole type (one that sits
    beside `properties` only constrains the object, which stays the type)."""
    if schema.get("properties"):
        return None
    for keyword in ("oneOf", "anyOf"):
        options = schema.get(keyword)
        if isinstance(options, list) and len(options) > 1:
            return keyword, options
    return None


def _named(name: str) -> TypeRef:
    return TypeRef(name, f"[**{name}**]({name}.md)", (name,))


def _or_none(found: TypeRef) -> TypeRef:
    if found.nullable or found.hint == "Any":
        return found
    return replace(found, hint=f"{found.hint} | None", nullable=True)


def _join(types: list[TypeRef]) -> TypeRef:
    """Alternatives as one type: `A | B`, duplicates dropped, None last; docs show them all."""
    hints: list[str] = []
    docs: list[str] = []
    for member in types:
        hints.extend(h for h in _top_level_members(member.hint) if h != "None" and h not in hints)
        if member.hint != "None" and member.doc not in docs:
            docs.append(member.doc)
    nullable = any(member.nullable for member in types)
    if not hints:
        return NONE
    if len(hints) == 1 and len(docs) == 1 and not nullable:
        return next(t for t in types if t.hint == hints[0])
    return TypeRef(
        hint=" | ".join(hints + (["None"] if nullable else [])),
        doc=" \\| ".join(docs),
        models=tuple(dict.fromkeys(m for member in types for m in member.models)),
        uses_any=any(member.uses_any for member in types),
        nullable=nullable,
    )


def _top_level_members(hint: str) -> list[str]:
    """`A | list[B | C]` -> [`A`, `list[B | C]`]."""
    members, depth, start = [], 0, 0
    for index, char in enumerate(hint):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "|" and depth == 0:
            members.append(hint[start:index].strip())
            start = index + 1
    members.append(hint[start:].strip())
    return members


def _md_bars(hint: str) -> str:
    """A hint inside Markdown (a table cell): the union bars escaped."""
    return hint.replace("|", "\\|")


def _same(value: Any, option: Any) -> bool:
    """Equal as JSON values are: True is not 1."""
    return value == option and isinstance(value, bool) == isinstance(option, bool)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    # pydantic makes a float of it: an int must survive that unchanged (10**30 would not).
    return math.isfinite(value) if isinstance(value, float) else abs(value) <= 2**53


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
}


def _within(value: Any, levels: int) -> bool:
    """Whether a JSON-like value nests at most `levels` deep (no recursion: it may be very deep)."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return False
        if isinstance(node, (dict, list)):
            if depth >= levels:
                return False
            stack.extend((item, depth + 1) for item in (node.values() if isinstance(node, dict) else node))
    return True


# Keywords that give a schema a shape even without `type`: a made-up value could not guess it.
_TYPE_KEYWORDS = ("properties", "additionalProperties", "items", "allOf", "oneOf", "anyOf", "not", "$ref")


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


def _discriminator(schema: Any) -> str | None:
    """The property a schema's discriminator names, if it has one."""
    prop = _get(_get(schema, "discriminator"), "propertyName")
    return prop if isinstance(prop, str) and prop else None


def _is_object(schema: Any, named: bool) -> bool:
    """Objects with properties are models; a named `type: object` without properties is one too."""
    if not isinstance(schema, dict):
        return False
    if isinstance(schema.get("properties"), dict) and schema["properties"]:
        return True
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) > 1 and _single_member(schema) is None:
        return True  # the members' properties are merged into one model
    extra = schema.get("additionalProperties")
    return named and schema.get("type") == "object" and not (isinstance(extra, dict) and extra)


def _merged_properties(schemas: Schemas, schema: dict[str, Any], pointer: str,
                       seen: frozenset[str] = frozenset()) -> dict[str, tuple[Any, str]]:
    """Own properties, after those of allOf members (a member's $ref is followed, each once).
    The result is shared: read it, do not change it."""
    if seen:
        return _collect_properties(schemas, schema, pointer, seen)
    key = (pointer, id(schema))  # the document lives as long as `schemas`: ids are not reused
    known = schemas._properties.get(key)
    if known is None:
        known = schemas._properties[key] = _collect_properties(schemas, schema, pointer, seen)
    return known


def _collect_properties(schemas: Schemas, schema: dict[str, Any], pointer: str,
                        seen: frozenset[str]) -> dict[str, tuple[Any, str]]:
    props: dict[str, tuple[Any, str]] = {}
    members = schema.get("allOf")
    if isinstance(members, list):
        for index, member in enumerate(members):
            resolved, target = schemas.resolve(member, f"{pointer}/allOf/{index}")
            if isinstance(resolved, dict) and target not in seen | {pointer}:
                props.update(_merged_properties(schemas, resolved, target, seen | {pointer}))
    own = schema.get("properties")
    if isinstance(own, dict):
        for name, prop in own.items():
            props[str(name)] = (prop, child_pointer(pointer, "properties", name))
    return props


def _merged_required(schemas: Schemas, schema: dict[str, Any], pointer: str,
                     seen: frozenset[str] = frozenset()) -> list[str]:
    required = schema.get("required")
    names = [str(r) for r in required] if isinstance(required, list) else []
    members = schema.get("allOf")
    if isinstance(members, list):
        for index, member in enumerate(members):
            resolved, target = schemas.resolve(member, f"{pointer}/allOf/{index}")
            if isinstance(resolved, dict) and target not in seen | {pointer}:
                names.extend(_merged_required(schemas, resolved, target, seen | {pointer}))
    return names


def _parse_json_text(value: Any) -> Any:
    """Some specs (openxapi's Binance ones) give object examples as JSON text: `example: '{}'`."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _list_doc(item: TypeRef) -> str:
    if item.models and item.hint in item.models:
        return f"[**list[{item.hint}]**]({item.hint}.md)"
    return f"**list[{_md_bars(item.hint)}]**"


def _order_imports(models: dict[str, Model], modules: dict[str, str]) -> tuple[Model, ...]:
    """Sort models by name, give each import its module, and move the imports between models of one
    import cycle to the bottom of their modules.

    Model modules import each other at the top. Within a cycle (A -> B -> A) every such import goes
    at the bottom, on both sides: whichever module is imported first defines its class before it
    imports the others, so each module imports on its own, in any order, and pydantic resolves the
    annotations on first use. (Moving only the edge that closes the cycle works for one import
    order and fails for the other.)
    """
    ordered = sorted(models)
    component = _cycles({name: [dep for dep, _ in models[name].imports if dep in models] for name in ordered})
    result = []
    for name in ordered:
        model = models[name]
        cyclic = {d for d, _ in model.imports if d in models and component[d] == component[name]}
        early = sorted(((d, modules[d]) for d, _ in model.imports if d not in cyclic), key=_by_module)
        late = sorted(((d, modules[d]) for d in cyclic), key=_by_module)
        result.append(replace(model, imports=tuple(early), late_imports=tuple(late)))
    return tuple(result)


def _by_module(item: tuple[str, str]) -> tuple[tuple[int, str], ...]:
    """(name, module) imports in the order isort keeps them: by module."""
    return import_order(item[1])


def _cycles(graph: dict[str, list[str]]) -> dict[str, int]:
    """Node -> the number of its strongly connected component (Tarjan's algorithm, without
    recursion: a chain of thousands of models must not reach Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    count = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = graph[node]
            if edge < len(targets):
                work.append((node, edge + 1))
                target = targets[edge]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            for target in targets:  # children finished: take their lowest reach
                if target in on_stack:
                    low[node] = min(low[node], low[target])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = count
                    if member == node:
                        break
                count += 1
    return component
