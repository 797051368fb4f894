"""Namespaced identifiers (`hub/features/namespaces.rst`, `hub/dtl/namespaces.rst`).

`add_namespaces` prefixes `_id` with the identity namespace and every property with the property namespace before
the first transform; `remove_namespaces` strips them from `_id`, properties and NI values after the last transform.
Which sources and sinks default to each when `namespaced_identifiers` is on is listed in namespaces.rst.
Reserved (`_`) and semi-reserved (`$`) properties are never prefixed, nor is anything inside them; other nested
dictionaries are prefixed too, which is why docs paths read `_S.hubspot-company:properties.hubspot-company:name` (tutorial-getting-started-connect.rst).
"""
from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from emulator.values import NI_PREFIX, is_ni, split_ni

ADD_NAMESPACES_SOURCES = ("csv", "kafka", "ldap", "sql", "embedded", "http_endpoint", "json")
REMOVE_NAMESPACES_SINKS = (
    "csv_endpoint", "elasticsearch", "mail", "rest", "sms", "solr", "kafka", "sql", "http_endpoint", "json",
)


def is_plain_property(key: str) -> bool:
    return not key.startswith(("_", "$"))


def add_namespaces(entity: dict[str, Any], identity_ns: str, property_ns: str) -> dict[str, Any]:
    out = _prefix_properties(entity, property_ns)
    if isinstance(entity.get("_id"), str):
        out["_id"] = f"{identity_ns}:{entity['_id']}"
    return out


def _prefix_properties(value: Any, namespace: str) -> Any:
    """Reserved and `$` properties are "left as-is", their values included: `{"$bar": {"baz": 2}}` stays as it is
    (apply-ns, "reflects the behaviour of the add_namespaces=true pipe property", dtl-functions-dictionaries.rst)."""
    if isinstance(value, dict):
        return dict(
            (f"{namespace}:{key}", _prefix_properties(item, namespace)) if is_plain_property(key) else (key, item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return [_prefix_properties(item, namespace) for item in value]
    return value


def strip_namespace(name: str) -> str:
    """`"ns:name"` → `"name"`; the namespace ends at the first colon, as in an NI."""
    return name.split(":", 1)[1] if ":" in name else name


def remove_namespaces(value: Any, root: bool = True) -> Any:
    if isinstance(value, dict):
        out = {strip_namespace(key) if is_plain_property(key) else key: remove_namespaces(item, False)
               for key, item in value.items()}
        if root and isinstance(value.get("_id"), str):
            out["_id"] = strip_namespace(value["_id"])
        return out
    if isinstance(value, list):
        return [remove_namespaces(item, False) for item in value]
    if is_ni(value):
        return NI_PREFIX + split_ni(value)[1]
    return value


def qualify(name: str, namespace: str) -> str:
    """The property name `add` writes when namespaced identifiers are on (dtl-functions-transforms.rst, `add`):
    a bare name gets the current namespace, `"::x"` means exactly `x`, `":x"` the current namespace, and a name that
    already has a namespace is kept."""
    if name.startswith("::"):
        return name[2:]
    if name.startswith(":"):
        return f"{namespace}:{name[1:]}"
    if ":" in name or not is_plain_property(name):
        return name
    return f"{namespace}:{name}"


_WILDCARDS = frozenset("*?[")


def matches_property(key: str, pattern: str, namespaced: bool) -> bool:
    """Wildcard match of `copy`/`remove`: with namespaces on, the last colon of the pattern separates namespace and
    identifier, and a pattern without a colon matches the identifier in every namespace."""
    return property_matcher((pattern,), namespaced)(key)


@lru_cache(maxsize=1024)  # the patterns are written in the configuration; keys are met for every entity
def property_matcher(patterns: tuple[str, ...], namespaced: bool) -> Callable[[str], bool]:
    """`matches_property` for any of `patterns`, with the patterns that name one property looked up in sets."""
    exact = {p for p in patterns if not _WILDCARDS.intersection(p) and (not namespaced or ":" in p)}
    any_namespace = {p for p in patterns if not _WILDCARDS.intersection(p) and namespaced and ":" not in p}
    wild = [p for p in patterns if _WILDCARDS.intersection(p)]

    def matches(key: str) -> bool:
        if not namespaced or key.startswith(("_", "$")):
            return key in exact or key in any_namespace or bool(wild) and any(fnmatchcase(key, p) for p in wild)
        colon = key.rfind(":")
        if key[colon + 1:] in any_namespace or (colon > 0 and key in exact):
            return True
        return bool(wild) and any(_wildcard_matches(key[:max(colon, 0)], key[colon + 1:], p) for p in wild)

    return matches


def _wildcard_matches(key_ns: str, key_id: str, pattern: str) -> bool:
    pattern_ns, colon, pattern_id = pattern.rpartition(":")
    if not colon:
        return fnmatchcase(key_id, pattern)
    return bool(key_ns) and fnmatchcase(key_ns, pattern_ns) and fnmatchcase(key_id, pattern_id)
