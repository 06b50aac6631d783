"""What generated files contain, as the injection, names and fuzz tests compare it.

- Python: the names a module uses, calls and imports (from its AST), and any expression statement
  outside a function that is not a docstring: injected code has to show up in one of those.
- Markdown: table rows with their cell counts (GitHub's rules: an unescaped `|` splits a cell),
  code fence lines.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from generator.model.api import Api


@dataclass
class PythonFacts:
    names: set[str] = field(default_factory=set)  # every identifier, wherever it appears
    calls: set[str] = field(default_factory=set)  # dotted names of what is called
    imports: set[str] = field(default_factory=set)  # absolute module names (relative ones resolved)
    stray: list[str] = field(default_factory=list)  # expression statements outside functions


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return f"<{type(node).__name__}>"


def python_facts(files: Mapping[str, str]) -> PythonFacts:
    """Facts of every .py file (each must parse: a SyntaxError fails the caller's test)."""
    facts = PythonFacts()
    for path, source in files.items():
        if not path.endswith(".py"):
            continue
        tree = ast.parse(source, filename=path)
        package = path[:-3].replace("/", ".").removesuffix(".__init__")
        if not path.endswith("__init__.py"):
            package = package.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                facts.names.add(node.id)
            elif isinstance(node, ast.Attribute):
                facts.names.add(node.attr)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                facts.names.add(node.name)
            elif isinstance(node, (ast.arg, ast.keyword)) and node.arg:
                facts.names.add(node.arg)
            elif isinstance(node, ast.alias):
                facts.names.update(n for n in (node.name.split(".")[0], node.asname) if n)
            if isinstance(node, ast.Call):
                facts.calls.add(_dotted(node.func))
            elif isinstance(node, ast.Import):
                facts.imports.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                facts.imports.add(_absolute(package, node.module, node.level))
        facts.stray += [f"{path}:{statement.lineno}: {ast.unparse(statement)[:80]}"
                        for statement in _outside_functions(tree)
                        if isinstance(statement, ast.Expr) and not _is_text(statement.value)]
    return facts


def redefinitions(files: Mapping[str, str]) -> list[str]:
    """Names defined twice in one scope, and keys written twice in one dict literal: Python keeps the
    last without a word, so two spec names that became one would lose an operation or a field."""
    found = []
    for path, source in files.items():
        if not path.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Module, ast.ClassDef)):
                defined = [target.id for statement in node.body for target in _targets(statement)]
                found += [f"{path}: {name} defined twice" for name in sorted(set(defined))
                          if defined.count(name) > 1]
            elif isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                found += [f"{path}:{node.lineno}: key {k!r} twice" for k in set(keys) if keys.count(k) > 1]
    return found


def _targets(statement: ast.stmt) -> list[ast.Name]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [ast.Name(statement.name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target]
    if isinstance(statement, ast.Assign):
        return [t for t in statement.targets if isinstance(t, ast.Name)]
    return []


def _absolute(package: str, module: str | None, level: int) -> str:
    if not level:
        return module or ""
    parts = package.split(".")
    base = parts[:len(parts) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _outside_functions(tree: ast.Module) -> Iterable[ast.stmt]:
    """Statements at module level and in class bodies, into if/try blocks but not into functions."""
    stack: list[ast.stmt] = list(tree.body)
    while stack:
        statement = stack.pop()
        yield statement
        if isinstance(statement, ast.ClassDef):
            stack += statement.body
        elif isinstance(statement, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for block in ("body", "orelse", "finalbody", "handlers"):
                stack += [s for s in getattr(statement, block, []) if isinstance(s, ast.stmt)]


def decided_names(api: Api) -> set[str]:
    """Every identifier the model decided from spec names (naming.py made each of them)."""
    names = set(api.package.name.split(".")) | {api.vendor.auth_class}
    for api_class in api.apis:
        names |= {api_class.class_name, api_class.async_class_name, api_class.module}
        for op in api_class.operations:
            names |= {op.python_name, f"{op.python_name}_with_http_info", op.constant}
            names |= {p.python_name for p in op.parameters}
    for model in api.models:
        names |= {model.class_name, model.module} | {f.python_name for f in model.fields}
    return names


def own_modules(files: Iterable[str]) -> set[str]:
    """Dotted names of the modules (and packages) among the output files."""
    modules = set()
    for path in files:
        if path.endswith(".py"):
            dotted = path[:-3].replace("/", ".").removesuffix(".__init__")
            parts = dotted.split(".")
            modules.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return modules


# -- Markdown ---------------------------------------------------------------------------------------

_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def cells(row: str) -> list[str]:
    """A table row's cells as GitHub splits them: at each `|` not escaped by a backslash."""
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return re.split(r"(?<!\\)\|", row)


def malformed_tables(text: str) -> list[str]:
    """Rows with more cells than their table's header row (GitHub drops the excess, so text would move
    out of its column or vanish), or fewer, unless the row ends in an empty cell (` |` at its end:
    GitHub reads the pipe as the row's end, and pads the row)."""
    problems = []
    lines = text.split("\n")
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence or index == 0 or "|" not in line or not _DELIMITER.match(line):
            continue
        width = len(cells(lines[index - 1]))
        if len(cells(line)) != width:
            continue  # not a table for GitHub either (a description may hold text that looks like one)
        for number, row in enumerate(lines[index + 1:], start=index + 2):
            if not row.strip():
                break
            count = len(cells(row))
            if count > width or (count < width and not (count == width - 1 and row.rstrip().endswith("|"))):
                problems.append(f"line {number}: {count} cells, not {width}: {row[:80]}")
    return problems


def fence_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if _FENCE.match(line)]


def outside_fences(text: str) -> str:
    """The Markdown that renders as Markdown: code blocks left out (their text is shown as it is)."""
    kept, in_fence = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            kept.append(line)
    return "\n".join(kept)
