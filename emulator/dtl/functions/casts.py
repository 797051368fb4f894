"""Type tests and casts (dtl-functions-booleans.rst, dtl-functions-numbers.rst, and the `is-*` functions of the
other pages)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from emulator.dtl.engine import function
from emulator.dtl.functions.arguments import IGNORED, converter, is_plain_string, is_typed, number_of, type_test
from emulator.values import DATETIME_PREFIX, DECIMAL_PREFIX, is_ni


type_test("is-string", is_plain_string)
function("is-list")(lambda value: isinstance(value, list))
type_test("is-dict", lambda value: isinstance(value, dict))
type_test("is-boolean", lambda value: isinstance(value, bool))
type_test("is-integer", lambda value: isinstance(value, int) and not isinstance(value, bool))
type_test("is-float", lambda value: isinstance(value, float))
type_test("is-decimal", lambda value: is_typed(value, DECIMAL_PREFIX))
type_test("is-datetime", lambda value: is_typed(value, DATETIME_PREFIX))
type_test("is-ni", is_ni)
type_test("is-uri", lambda value: is_typed(value, "~r"))
type_test("is-uuid", lambda value: is_typed(value, "~u"))


def _parse_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if is_plain_string(value) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return IGNORED


def _parse_integer(value: Any) -> Any:
    if isinstance(value, bool):
        return IGNORED
    if isinstance(value, (int, float)):
        return int(value)
    if is_typed(value, DECIMAL_PREFIX):
        return int(Decimal(value[2:]))
    if is_plain_string(value):
        text = value.strip()
        if text.lower().startswith("0x"):  # "parsed as hexadecimal values in two's complement format"
            digits = text[2:]
            number = int(digits, 16)
            return number - (1 << (4 * len(digits))) if number >= 1 << (4 * len(digits) - 1) else number
        try:
            return int(text)
        except ValueError:
            return IGNORED
    return IGNORED


def _parse_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        return IGNORED
    if isinstance(value, (int, float)):
        return f"{DECIMAL_PREFIX}{Decimal(str(value))}"
    if is_typed(value, DECIMAL_PREFIX):
        return value
    if is_plain_string(value):
        try:
            return f"{DECIMAL_PREFIX}{Decimal(value.strip())}"
        except InvalidOperation:
            return IGNORED
    return IGNORED


def _parse_float(value: Any) -> Any:
    readable = not isinstance(value, str) or is_plain_string(value) or is_typed(value, DECIMAL_PREFIX)
    number = number_of(value) if readable else None
    if number is None and is_plain_string(value):
        try:
            number = float(value)
        except ValueError:
            number = None
    return IGNORED if number is None else float(number)


converter("boolean", _parse_boolean)
converter("integer", _parse_integer)
converter("decimal", _parse_decimal)
converter("float", _parse_float)
