"""Field validators for the Custom Webshop contract (docs/custom-webshop-api.md §3).

A validator takes a decoded JSON value and returns the value to store, or raises `Invalid` with the message the
client sees under `fields.<name>` in a 422 answer. Validators are strict about JSON types (a number is not a string,
`true` is not an integer) because a shop that guesses silently stores something the sender did not mean.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

Validator = Callable[[Any], Any]

MONEY = re.compile(r"^\d{1,13}\.\d{2}$")
WEIGHT = re.compile(r"^\d{1,9}(\.\d{1,4})?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
COUNTRY = re.compile(r"^([A-Z]{2})?$")
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class Invalid(ValueError):
    """One field's value breaks the contract; `errors` maps field paths to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"": errors}
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items()))


def format_timestamp(moment: datetime) -> str:
    """The one timestamp format of the contract: UTC, microseconds, `Z`, fixed width (sorts bytewise)."""
    return moment.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(value: Any) -> datetime:
    """Any RFC 3339 date-time with an offset or `Z`; naive times are refused since their zone is a guess."""
    if not isinstance(value, str):
        raise Invalid("must be an RFC 3339 date-time string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("must be an RFC 3339 date-time such as 2026-11-28T03:17:04.123456Z") from None
    if moment.tzinfo is None:
        raise Invalid("must carry a UTC offset or Z")
    return moment.astimezone(timezone.utc)


def text(max_length: int = 255, required: bool = False) -> Validator:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid("must be a string")
        if required and not value.strip():
            raise Invalid("must not be empty")
        if len(value) > max_length:
            raise Invalid(f"must be at most {max_length} characters")
        return value
    return check


def pattern(regex: re.Pattern[str], description: str) -> Validator:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not regex.match(value):
            raise Invalid(f"must be {description}")
        return value
    return check


def email(required: bool) -> Validator:
    def check(value: Any) -> str:
        if not isinstance(value, str) or ((value or required) and not EMAIL.match(value)) or len(value) > 254:
            raise Invalid("must be an e-mail address" + ("" if required else " or an empty string"))
        return value
    return check


def integer(minimum: int | None = None) -> Validator:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid("must be an integer")
        if minimum is not None and value < minimum:
            raise Invalid(f"must be at least {minimum}")
        return value
    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("must be true or false")
    return value


METADATA_KEYS = 50
METADATA_KEY_LENGTH = 64
METADATA_BYTES = 16_384


def metadata_object(value: Any) -> dict[str, Any]:
    """Integrations' own bookkeeping, stored as sent and never interpreted (docs/custom-webshop-api.md §3.1)."""
    if not isinstance(value, dict):
        raise Invalid("must be an object")
    if len(value) > METADATA_KEYS:
        raise Invalid(f"must have at most {METADATA_KEYS} keys")
    long_keys = [key for key in value if not 1 <= len(key) <= METADATA_KEY_LENGTH]
    if long_keys:
        raise Invalid(f"keys must be 1-{METADATA_KEY_LENGTH} characters")
    if len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()) > METADATA_BYTES:
        raise Invalid(f"must be at most {METADATA_BYTES} bytes as JSON")
    return value


def one_of(*choices: str) -> Validator:
    def check(value: Any) -> str:
        if value not in choices:
            raise Invalid(f"must be one of {', '.join(choices)}")
        return value
    return check


def timestamp(value: Any) -> str:
    return format_timestamp(parse_timestamp(value))


def nullable(inner: Validator) -> Validator:
    def check(value: Any) -> Any:
        return None if value is None else inner(value)
    return check


def distinct_texts(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Invalid("must be an array of non-empty strings")
    if len({v.casefold() for v in value}) != len(value):
        raise Invalid("must not repeat a name")
    return value


@dataclass(frozen=True)
class Field:
    """One writable property. `assigned(id, stamp)` fills it on create when omitted; PUT then keeps the stored value."""

    name: str
    check: Validator
    required: bool = False
    default: Callable[[], Any] = lambda: None
    assigned: Callable[[int, str], Any] | None = None


@dataclass(frozen=True)
class Shape:
    """An object's writable properties; validates a whole body and reports every bad field at once."""

    fields: tuple[Field, ...]
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    def validate(self, body: Any, kept: dict[str, Any] | None = None, ignored: Iterable[str] = ()) -> dict[str, Any]:
        """A complete, normalised copy of `body`; omitted optional fields take their defaults.

        `kept` supplies values for omitted `assigned` fields (the stored record on PUT); on create they stay
        absent so the caller can assign them. Names in `ignored` (read-only properties) may be present and are dropped.
        """
        if not isinstance(body, dict):
            raise Invalid("must be a JSON object")
        errors: dict[str, str] = {}
        result: dict[str, Any] = {}
        for name in set(body) - set(self.by_name) - set(ignored):
            errors[name] = "is not a property of this resource"
        for spec in self.fields:
            if spec.name not in body:
                if spec.assigned is not None:
                    if kept is not None:
                        result[spec.name] = kept[spec.name]
                elif spec.required:
                    errors[spec.name] = "is required"
                else:
                    result[spec.name] = spec.default()
                continue
            try:
                result[spec.name] = spec.check(body[spec.name])
            except Invalid as exc:
                for path, message in exc.errors.items():
                    errors[_join(spec.name, path)] = message
        if errors:
            raise Invalid(errors)
        return result


def nested(shape: Shape) -> Validator:
    def check(value: Any) -> dict[str, Any]:
        return shape.validate(value)
    return check


def array_of(shape: Shape) -> Validator:
    def check(value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise Invalid("must be an array")
        items, errors = [], {}
        for index, item in enumerate(value):
            try:
                items.append(shape.validate(item))
            except Invalid as exc:
                errors.update({_join(f"[{index}]", path): message for path, message in exc.errors.items()})
        if errors:
            raise Invalid(errors)
        return items
    return check


def _join(prefix: str, path: str) -> str:
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"
