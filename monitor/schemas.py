"""JSON Schemas of a rule file and of newsmonitor.yaml, generated from their pydantic models.

Editors (VS Code's YAML extension, any yaml-language-server client) check files against them as
people type. They are JSON Schema draft-07, the newest draft those editors implement (their
2019-09 and 2020-12 support is partial); pydantic writes 2020-12, and its output here uses no
keyword that draft-07 lacks, so only the definitions' home changes ($defs -> definitions). Each
value type says
what a user may write for it (``json_schema_input_type``: "6h" for a duration, ">= 100" for a
count), so the schema describes the YAML, not the parsed model.

A schema cannot say everything the loaders check: that a regex compiles, a template renders, a
channel exists, a time zone is known, a range is not empty, that ``within`` goes with
``min_sources``. There the schema is looser, and ``newsmonitor rules check`` stays the
authority. In a config any value may be a ``${VAR}`` reference, expanded before validation, so
the config schema lets every number, boolean and patterned string be one.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import core_schema

from monitor.config import Config
from monitor.rules.schema import Rule

DIALECT = "http://json-schema.org/draft-07/schema#"
REF_TEMPLATE = "#/definitions/{model}"
# Where the repository keeps the generated files; the YAML files point their editors there.
SCHEMA_FILES = {"rule": "schemas/rule.schema.json", "config": "schemas/config.schema.json"}
ENV_NAME = "EnvReference"
ENV_REFERENCE: JsonSchemaValue = {
    "type": "string",
    "pattern": r"\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}",
    "description": "${VAR} or ${VAR:-default}: replaced from the environment when the config loads",
}


class ConfigSchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, with ``${VAR}`` allowed wherever a string could not stand."""

    def generate(
        self, schema: core_schema.CoreSchema, mode: JsonSchemaMode = "validation"
    ) -> JsonSchemaValue:
        ref = {"$ref": self.ref_template.format(model=ENV_NAME)}
        out = _shared(super().generate(schema, mode), ref)
        out.setdefault("$defs", {})[ENV_NAME] = ENV_REFERENCE
        return out

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        return _or_env(super().int_schema(schema))

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        return _or_env(super().float_schema(schema))

    def bool_schema(self, schema: core_schema.BoolSchema) -> JsonSchemaValue:
        return _or_env(super().bool_schema(schema))

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        value = super().str_schema(schema)
        return _or_env(value) if "pattern" in value else value


def _or_env(value: JsonSchemaValue) -> JsonSchemaValue:
    return {"anyOf": [value, ENV_REFERENCE]}


def _shared(node: Any, ref: JsonSchemaValue) -> Any:
    """``node`` with every copy of ENV_REFERENCE replaced by ``ref``: one definition, not 40."""
    if node == ENV_REFERENCE:
        return ref
    if isinstance(node, dict):
        return {k: _shared(v, ref) for k, v in node.items()}
    return [_shared(v, ref) for v in node] if isinstance(node, list) else node


def _framed(title: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    schema.pop("title", None)
    schema.pop("description", None)
    definitions = schema.pop("$defs", {})
    return {"$schema": DIALECT, "title": title, "description": description, **schema} | {
        "definitions": definitions
    }


def rule_schema() -> dict[str, Any]:
    return _framed(
        "newsmonitor rule file",
        "One alert rule (rules/*.yaml). Generated from the rule model by `newsmonitor rules "
        "schema`; `newsmonitor rules check` stays the authority (regexes, templates, channels).",
        Rule.model_json_schema(mode="validation", ref_template=REF_TEMPLATE),
    )


def config_schema() -> dict[str, Any]:
    return _framed(
        "newsmonitor config file",
        "newsmonitor.yaml. Generated from the config model by `newsmonitor config schema`; "
        "the daemon's own check at start stays the authority (e.g. which Apprise URLs work).",
        Config.model_json_schema(
            mode="validation", ref_template=REF_TEMPLATE, schema_generator=ConfigSchemaGenerator
        ),
    )


SCHEMAS = {"rule": rule_schema, "config": config_schema}


def schema_text(kind: str) -> str:
    """The schema as the command prints it and the repository stores it."""
    return json.dumps(SCHEMAS[kind](), indent=2, ensure_ascii=False) + "\n"
