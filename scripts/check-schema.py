#!/usr/bin/env python3
"""Validate YAML or JSON documents against one of Vigil's JSON Schemas.

Usage: check-schema.py SCHEMA FILE...

Each FILE is read by its extension:
  .yaml, .yml   one YAML document (PyYAML safe loader; duplicate keys are errors, as in the daemon)
  .json         one JSON document
  .jsonl, -     one JSON document per non-empty line; '-' reads standard input

Prints `ok FILE` for a file whose documents are all valid, otherwise one line per
problem: `FILE[:line]: json.path: message`. Exits 0 when everything is valid, 1 when
any document is invalid or unreadable, 2 on a usage error (bad arguments, unknown
extension, unreadable or invalid schema).

Needs Python 3.11 with jsonschema (>= 4.18) and PyYAML.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Iterator

import jsonschema
import yaml
from jsonschema import Draft202012Validator

USAGE = "usage: check-schema.py SCHEMA FILE...  (FILE: .yaml, .yml, .json, .jsonl, or - for JSON lines on stdin)"


class UsageError(Exception):
    pass


class DocumentError(Exception):
    """A file or line that cannot be parsed; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


# ---------------------------------------------------------------- YAML


class _StrictSafeLoader(yaml.SafeLoader):
    """The safe loader, but a key repeated in one mapping is an error (the daemon rejects it too)."""


def _construct_mapping(loader: _StrictSafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    # Checked before merge keys (<<) are flattened, so that overriding a merged key stays allowed.
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            continue  # the base constructor reports unhashable keys
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                f"duplicate key {key!r} (first on line {seen[key] + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_StrictSafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """Returns the document and its node tree (for line numbers)."""
    loader = _StrictSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise DocumentError(f"YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise DocumentError(f"YAML: {error}") from None
    finally:
        loader.dispose()


def yaml_line(node: yaml.Node | None, path: list[Any], unexpected_key: str | None = None) -> int | None:
    """1-based line of the value at `path` (the key's line for a mapping member)."""
    if node is None:
        return None
    line = node.start_mark.line
    for step in list(path) + ([unexpected_key] if unexpected_key is not None else []):
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(step):
                    line, node = key_node.start_mark.line, value_node
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line
        else:
            break
    return line + 1


# ---------------------------------------------------------------- JSON


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def load_json(text: str, line: int | None = None) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        where = error.lineno if line is None else line
        raise DocumentError(f"JSON: {error.msg} (column {error.colno})", where) from None
    except ValueError as error:
        raise DocumentError(f"JSON: {error}", line) from None


# ---------------------------------------------------------------- files


def kind_of(name: str) -> str:
    if name == "-":
        return "jsonl"
    extension = os.path.splitext(name)[1].lower()
    kinds = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl"}
    if extension not in kinds:
        raise UsageError(f"{name}: unknown file type '{extension or '(none)'}'; use .yaml, .yml, .json, .jsonl or -")
    return kinds[extension]


def read_text(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        with open(name, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError(f"cannot read the file: {error}") from None


def documents(name: str, kind: str) -> Iterator[tuple[Any, int | None, Any]]:
    """Yields (document, line of the document or None, locator) where locator maps an error to a line."""
    text = read_text(name)
    if kind == "yaml":
        document, node = load_yaml(text)
        yield document, None, node
    elif kind == "json":
        yield load_json(text), None, None
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield load_json(line, number), number, None
                except DocumentError as error:
                    yield error, number, None  # reported, and the next lines still checked


def error_line(error: jsonschema.ValidationError, line: int | None, node: Any) -> int | None:
    if line is not None:
        return line
    if node is None:
        return None
    unexpected = None
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [key for key in error.instance if key not in allowed]
        unexpected = str(extra[0]) if len(extra) == 1 else None
    return yaml_line(node, list(error.absolute_path), unexpected)


def _error_order(error: jsonschema.ValidationError) -> tuple:
    return [(0, step) if isinstance(step, int) else (1, str(step)) for step in error.absolute_path], error.message


def report(name: str, line: int | None, path: str, message: str) -> None:
    location = name if line is None else f"{name}:{line}"
    print(f"{location}: {path}: {message}" if path else f"{location}: {message}")


def check_file(validator: Draft202012Validator, name: str, kind: str) -> bool:
    display = "<stdin>" if name == "-" else name
    valid = True
    try:
        for document, line, node in documents(name, kind):
            if isinstance(document, DocumentError):
                valid = False
                report(display, document.line, "", str(document))
                continue
            errors = sorted(validator.iter_errors(document), key=_error_order)
            for error in errors:
                valid = False
                report(display, error_line(error, line, node), error.json_path, error.message)
    except DocumentError as error:
        report(display, error.line, "", str(error))
        return False
    if valid:
        print(f"ok {display}")
    return valid


def _properties(validator: Any, properties: dict, instance: Any, schema: dict) -> Iterator[jsonschema.ValidationError]:
    """`properties`, except that a key forbidden by a `false` subschema is reported at its own path.

    jsonschema's `descend` drops the path of a `false` schema's error, which would point the
    message at the enclosing object and name only the value.
    """
    if not validator.is_type(instance, "object"):
        return
    for key, subschema in properties.items():
        if key not in instance:
            continue
        if subschema is False:
            yield jsonschema.ValidationError(
                f"{key!r} is not allowed here", path=[key], schema_path=[key], instance=instance[key])
        else:
            yield from validator.descend(instance[key], subschema, path=key, schema_path=key)


_Validator = jsonschema.validators.extend(Draft202012Validator, {"properties": _properties})


def load_schema(name: str) -> Draft202012Validator:
    try:
        with open(name, encoding="utf-8") as handle:
            schema = json.load(handle)
    except (OSError, ValueError) as error:
        raise UsageError(f"{name}: cannot read the schema: {error}") from None
    try:
        Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise UsageError(f"{name}: not a valid draft 2020-12 schema: {error.json_path}: {error.message}") from None
    return _Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    try:
        validator = load_schema(argv[0])
        files = [(name, kind_of(name)) for name in argv[1:]]
    except UsageError as error:
        print(f"check-schema: {error}", file=sys.stderr)
        print(USAGE, file=sys.stderr)
        return 2
    results = [check_file(validator, name, kind) for name, kind in files]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
