"""Safe YAML loading that remembers where every value stood, for errors a user can act on.

``load_yaml`` returns the plain data plus a ``Positions`` map from a value's path
(``("match", "text")``) to its 1-based line and column, so a validation error on any field can
name ``file:line:column``. Only the safe loader is used: user YAML never constructs objects.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from monitor.validation import describe

Path_ = tuple[str | int, ...]


@dataclass
class Positions:
    file: str
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Sequence[str | int], *, key: bool = False) -> str:
        """``file:line:column`` of the deepest known prefix of ``path``."""
        p = tuple(path)
        while True:
            table = self.key_marks if key and p in self.key_marks else self.marks
            if p in table:
                line, col = table[p]
                return f"{self.file}:{line}:{col}"
            if not p:
                return f"{self.file}:1:1"
            p = p[:-1]


class YAMLSyntaxError(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


def load_yaml(text: str, file: str) -> tuple[Any, Positions]:
    """Parse one YAML document; a syntax error names file:line:column."""
    positions = Positions(file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        raise YAMLSyntaxError(where, f"invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(file, f"invalid YAML: {exc}") from exc
    if node is None:
        return None, positions
    return _convert(node, (), positions), positions


def _convert(node: yaml.Node, path: Path_, positions: Positions) -> Any:
    positions.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(" ").construct_object(key_node)  # scalar keys only
            if not isinstance(key, str | int | float | bool) and key is not None:
                where = f"{positions.file}:{key_node.start_mark.line + 1}"
                raise YAMLSyntaxError(where, "mapping keys must be plain scalars")
            if key == "<<":
                raise YAMLSyntaxError(
                    f"{positions.file}:{key_node.start_mark.line + 1}",
                    "merge keys are not supported",
                )
            child = (*path, str(key))
            key_at = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in out:
                where = f"{positions.file}:{key_at[0]}:{key_at[1]}"
                raise YAMLSyntaxError(where, f"duplicate key {key!r}")
            positions.key_marks[child] = key_at
            out[key] = _convert(value_node, child, positions)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), positions) for i, item in enumerate(node.value)]
    return yaml.SafeLoader(" ").construct_object(node)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``", did you mean 'cooldown'?"`` or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f", did you mean {close[0]!r}?" if close else ""


def pydantic_problems(
    exc: Any, positions: Positions, secret_roots: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """(file:line:column, message) for each error of a pydantic ValidationError. Under the
    top-level keys in ``secret_roots`` the rejected value is never quoted: it may be a secret."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if loc and loc[0] in secret_roots:
            err = {k: v for k, v in err.items() if k != "input"}
        at = _located(loc, positions)
        etype = err["type"]
        if etype == "extra_forbidden":
            key = str(loc[-1])
            choices = _known_fields(exc, loc)
            msg = f"unknown key {key!r}{did_you_mean(key, choices)}"
            problems.append((positions.where(at, key=True), msg))
            continue
        msg = describe(err)
        if msg.startswith("@"):  # a model-level check that names the key it is about
            key, _, msg = msg[1:].partition(" ")
            loc = (*loc, key)
            at = _located(loc, positions)
        problems.append((positions.where(at), f"{_field_name(loc, positions)}: {msg}"))
    return problems


def _field_name(loc: tuple[Any, ...], positions: Positions) -> str:
    """``channels.hook.url``: the path as the user wrote it, without the union member pydantic
    tried (``channels.hook.webhook.url``); the last part stays even when it is missing."""
    if not loc:
        return "(document)"
    return ".".join(str(p) for p in (*_located(loc[:-1], positions), loc[-1]))


def _located(loc: tuple[Any, ...], positions: Positions) -> Path_:
    """``loc`` without the parts that are not in the document (union tags, missing fields)."""
    out: Path_ = ()
    for part in loc:
        cand = (*out, part)
        if cand in positions.marks or cand in positions.key_marks:
            out = cand
    return out


def _known_fields(exc: Any, loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model that rejected the key, for the did-you-mean hint."""
    models = [getattr(exc, "_newsmonitor_model", None)]
    for part in loc[:-1]:
        nxt = []
        for model in models:
            fields = getattr(model, "model_fields", {})
            if isinstance(part, str) and part in fields:
                nxt.extend(_models_in(fields[part].annotation))
            elif isinstance(part, str) and _tag_of(model) == part:
                nxt.append(model)  # a discriminated union names the member it tried
            else:
                nxt.append(model)  # a list index or a dict key: same model below
        models = [m for m in nxt if m is not None]
        tagged = [m for m in models if _tag_of(m) == part]
        models = tagged or models
    names: list[str] = []
    for model in models:
        names.extend(getattr(model, "model_fields", {}))
    return names


def _tag_of(model: Any) -> Any:
    from typing import get_args

    fields = getattr(model, "model_fields", {})
    if "type" in fields:
        args = get_args(fields["type"].annotation)
        return args[0] if len(args) == 1 else None
    return None


def _models_in(annotation: Any) -> list[Any]:
    from typing import get_args

    if hasattr(annotation, "model_fields"):
        return [annotation]
    found: list[Any] = []
    for arg in get_args(annotation):
        found.extend(_models_in(arg))
    return found
