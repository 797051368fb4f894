"""Every DTL expression function against the examples in Sesam's DTL documentation (datanav/docs `hub/dtl/`).

Each row is (doc file, expression as printed in the doc, result the doc gives). Where a doc example depends on the
source entity, the entity is given too.
"""
from __future__ import annotations

from typing import Any

import pytest

from emulator.dtl import DTLEnvironment
from emulator.dtl.engine import Context
from emulator.errors import DTLError


def evaluate(expression: Any, source: dict[str, Any] | None = None, namespaced: bool = False) -> Any:
    env = DTLEnvironment("p", namespaced, "foo", "bar")
    return Context(source or {}, {}, {}, env).evaluate(expression)


DOC_EXAMPLES = [
    # dtl-functions-comparisons.rst
    ("comparisons", ["eq", "_S.age", 42], {"age": 42}, True),
    ("comparisons", ["eq", "_S.hobbies", ["list", "soccer", "tennis"]], {"hobbies": ["soccer", "tennis"]}, True),
    ("comparisons", ["eq", "_S.hobbies", ["list", "soccer"]], {"hobbies": ["soccer", "tennis"]}, False),
    ("comparisons", ["neq", "_S.age", 42], {"age": 41}, True),
    ("comparisons", ["gt", "_S.age", 42], {"age": 43}, True),
    ("comparisons", ["gte", "_S.age", 42], {"age": 42}, True),
    ("comparisons", ["lt", "_S.age", 42], {"age": 42}, False),
    ("comparisons", ["lte", "_S.age", 42], {"age": 42}, True),
    ("comparisons", ["is-empty", "_S.hobbies"], {"hobbies": []}, True),
    ("comparisons", ["is-not-empty", "_S.hobbies"], {"hobbies": ["x"]}, True),
    # dtl-functions-boolean-logic.rst
    ("boolean-logic", ["and", ["gt", "_S.age", 26], ["eq", "_S.gender", "male"]], {"age": 30, "gender": "male"}, True),
    ("boolean-logic", ["or", ["eq", "_S.category", "A"], ["eq", "_S.category", "B"]], {"category": "B"}, True),
    ("boolean-logic", ["not", ["or", ["eq", "_S.category", "A"], ["eq", "_S.category", "B"]]], {"category": "C"}, True),
    ("boolean-logic", ["all", ["list", 1, 2, 3]], None, True),
    ("boolean-logic", ["all", ["gt", "_.", 2], ["list", 4, 5, 6]], None, True),
    ("boolean-logic", ["all", ["lt", "_.", 2], ["list", 1, 3, 5]], None, False),
    ("boolean-logic", ["any", ["gt", "_.", 5], ["list", 4, 6, 8]], None, True),
    ("boolean-logic", ["any", ["lt", "_.", 2], ["list", 6, 7, 8]], None, False),
    # dtl-functions-conditionals.rst
    ("conditionals", ["if", ["gt", "_S.age", 42], 1, 2], {"age": 40}, 2),
    ("conditionals", ["case-eq", "_S.country", "NO", "Norway", "SE", "Sweden", "Other"], {"country": "SE"}, "Sweden"),
    ("conditionals", ["case-eq", "_S.dialing_code", 45, "DK", 46, "SE", 47, "NO"], {"dialing_code": 1}, None),
    ("conditionals", ["case", ["gte", "_S.age", 18], "adult", ["gte", "_S.age", 13], "teenager",
                      ["gte", "_S.age", 2], "toddler", ["lt", "_S.age", 2], "baby", "unknown"],
     {"age": 14}, "teenager"),
    # dtl-functions-nulls.rst
    ("nulls", ["if-null", None, 2], None, 2),
    ("nulls", ["if-null", 1, 2], None, 1),
    ("nulls", ["if-null", ["list", None, 123], 2], None, 2),
    ("nulls", ["if-null", ["list", 1, "12345"], 2], None, [1, "12345"]),
    ("nulls", ["is-null", ["list"]], None, True),
    ("nulls", ["is-null", ["list", None, 123]], None, True),
    ("nulls", ["is-null", ["list", 1, "12345"]], None, False),
    ("nulls", ["is-not-null", 1], None, True),
    ("nulls", ["is-not-null", ["list", None]], None, False),
    ("nulls", ["coalesce", "_S.tags"], {"tags": [None, "a", "b"]}, "a"),
    ("nulls", ["coalesce", ["gt", "_.expenses", 1000], "_S.hobbies"],
     {"hobbies": [{"expenses": 10}, {"expenses": 2000}]}, {"expenses": 2000}),
    # dtl-functions-lists.rst
    ("lists", ["combine", None], None, []),
    ("lists", ["combine", 1, ["list", 2, 3, ["list", 4]]], None, [1, 2, 3, [4]]),
    ("lists", ["count", ["list", 2, 4, 6]], None, 3),
    ("lists", ["count", None], None, 0),
    ("lists", ["count", 123], None, 1),
    ("lists", ["distinct", ["list", 4, 2, 5, 4, 3]], None, [4, 2, 5, 3]),
    ("lists", ["distinct", "_.ean", ["list", {"ean": 1, "n": "a"}, {"ean": 1, "n": "b"}]], None,
     [{"ean": 1, "n": "a"}]),
    ("lists", ["enumerate", "a"], None, {"key": 0, "value": "a"}),
    ("lists", ["enumerate", 2, ["list", 17, 32, 21]], None,
     [{"key": 2, "value": 17}, {"key": 3, "value": 32}, {"key": 4, "value": 21}]),
    ("lists", ["filter", ["gt", "_.age", 42], ["list", {"age": 30}, {"age": 50}, {"age": 40}]], None, [{"age": 50}]),
    ("lists", ["first", ["list", "a", "b", "c"]], None, "a"),
    ("lists", ["first", 123], None, 123),
    ("lists", ["flatten", ["list", 1, 2, ["list", 3, 4]]], None, [1, 2, 3, 4]),
    ("lists", ["flatten", ["list", ["list", 1, 2], ["list", 3, ["list", 4], 5]]], None, [1, 2, 3, [4], 5]),
    ("lists", ["group-by", ["upper", "_."], ["list", "a", "b"]], None, {'"A"': ["a"], '"B"': ["b"]}),
    ("lists", ["group-by", ["upper", "_."], ["string", "_."], ["list", "a", "b"]], None, {"A": ["a"], "B": ["b"]}),
    ("lists", ["group-by", ["length", "_."], ["list", "phi", "alpha", "rho"]], None,
     {"3": ["phi", "rho"], "5": ["alpha"]}),
    ("lists", ["in", "a", ["list", "a", "b", "c"]], None, True),
    ("lists", ["in", ["list", 10], 10], None, True),
    ("lists", ["in", ["list"], 10], None, False),
    ("lists", ["in", None, ["list", None]], None, False),
    ("lists", ["in", ["list", "a", "c", "d"], ["list", "a", "b", "c"]], None, False),
    ("lists", ["is-list", ["list", "foo:bar"]], None, True),
    ("lists", ["is-list", ["dict", "1", 2]], None, False),
    ("lists", ["last", ["list", "a", "b", "c"]], None, "c"),
    ("lists", ["list", "a", ["list", "b"], "c"], None, ["a", ["b"], "c"]),
    ("lists", ["map", ["lower", "_."], ["list", "A", "B", "C"]], None, ["a", "b", "c"]),
    ("lists", ["map", ["distinct", "_."], ["list", ["list", "A", "A"], ["list", "B", "C"]]], None, [["A"], ["B", "C"]]),
    ("lists", ["max", ["list", 4, 2, 5, 3]], None, 5),
    ("lists", ["max", ["list", "b", 2, "a", 3]], None, "b"),
    ("lists", ["max", ["list", {"x": 1}, "b", 2, "a"]], None, {"x": 1}),
    ("lists", ["min", ["list", "b", 2, "a", 3]], None, 2),
    ("lists", ["min", ["list", "B", "b", "A", "a"]], None, "A"),
    ("lists", ["max", "_.amount", "_S.orders"], {"orders": [{"amount": 1}, {"amount": 9}]}, {"amount": 9}),
    ("lists", ["insert", 1, 2, 3], None, [2, 3]),
    ("lists", ["insert", 1, ["list", 1, 2], ["list", 3, 4]], None, [1, [3, 4], 2]),
    ("lists", ["insert", -2, ["list", 1, 2, 3], 4], None, [1, 4, 2, 3]),
    ("lists", ["group", ["upper", "_."], ["lower", "_."], "Hello"], None, [["HELLO", ["hello"]]]),
    ("lists", ["dict", ["group", ["first", "_."], ["nth", 1, "_."],
                        ["list", ["list", "Adresse1", "A"], ["list", "Adresse2", "B"], ["list", "Adresse2", "C"]]]],
     None, {"Adresse1": ["A"], "Adresse2": ["B", "C"]}),
    ("lists", ["map-dict", ["upper", "_."], ["plus", 1, "_."], {"A": 1, "B": 2}], None, {"A": 2, "B": 3}),
    ("lists", ["map-dict", ["if", ["gt", ["length", "_."], 2], ["concat", "x:", "_."]], "_.",
               ["list", {"abc": 1, "ab": 2, "abcd": 3}, {"def": 4}, {"gh": 5}]],
     None, [{"x:abc": 1, "x:abcd": 3}, {"x:def": 4}]),
    ("lists",
     ["map-values", ["lower", "_."],
      ["list", {"key1": "A", "key2": "B"}, 100, {"key1": "B", "key2": "A", "key3": "C"}]],
     None, ["a", "b", "b", "a", "c"]),
    ("lists", ["nth", 1, ["list", "a", "b", "c"]], None, "b"),
    ("lists", ["nth", 5, ["list", "a", "b", "c"]], None, None),
    ("lists", ["range", 4, 0, -1], None, [4, 3, 2, 1]),
    ("lists", ["reversed", ["list", 1, 3, 2]], None, [2, 3, 1]),
    ("lists", ["slice", 2, -2, 2, ["list", 0, 1, 2, 3, 4, 5, 6]], None, [2, 4]),
    ("lists", ["slice", 2, ["list", 0, 1, 2, 3, 4, 5, 6]], None, [2, 3, 4, 5, 6]),
    ("lists", ["sorted", ["list", "b", 2, {"x": 1}, "a", 4]], None, [2, 4, "a", "b", {"x": 1}]),
    ("lists", ["sorted", "_.age", ["list", {"age": 30}, {"age": 50}, {"age": 20}]], None,
     [{"age": 20}, {"age": 30}, {"age": 50}]),
    ("lists", ["sorted-descending", ["list", 4, 2, 5, 4, 3]], None, [5, 4, 4, 3, 2]),
    ("lists", ["sum", ["list", 2, 4, 6]], None, 12),
    # dtl-functions-sets.rst
    ("sets", ["difference", ["list", "A", "B", "C", "D"], ["list", "A", "B", "E"]], None, ["C", "D"]),
    ("sets", ["difference", "A", ["list", "B", "C"]], None, ["A"]),
    ("sets", ["intersection", ["list", "A", "B"], ["list", "B", "C"]], None, ["B"]),
    ("sets", ["intersection", "A", ["list", "B", "C"]], None, []),
    ("sets", ["intersects", "B", ["list", "B", "C"]], None, True),
    ("sets", ["intersects", "A", ["list", "B", "C"]], None, False),
    ("sets", ["union", ["list", "A", "B"], ["list", "B", "C"]], None, ["A", "B", "C"]),
    ("sets", ["union", "A", ["list", "B", "C"]], None, ["A", "B", "C"]),
    # dtl-functions-dictionaries.rst
    ("dictionaries", ["dict"], None, {}),
    ("dictionaries", ["dict", ["list", ["list", "A", 1], ["list", "B", 2], ["list", "C", 3]]], None,
     {"A": 1, "B": 2, "C": 3}),
    ("dictionaries", ["dict", ["list", "X", 123, ["list", "A", 1]]], None, {"A": 1}),
    ("dictionaries", ["dict", "a", ["upper", "a"], ["lower", "B"], "B"], None, {"a": "A", "b": "B"}),
    ("dictionaries", ["is-dict", "_S."], {"a": 1}, True),
    ("dictionaries", ["is-dict", ["list", 123, {"a": 1}]], None, False),
    ("dictionaries", ["items", ["list", "X", 123, {"A": 1}]], None, [["A", 1]]),
    ("dictionaries", ["key-values", {"hello": "world"}], None, {"key": "hello", "value": "world"}),
    ("dictionaries", ["keys", ["list", {"A": 1, "B": 2}, {"A": 1, "C": 3}]], None, ["A", "B", "A", "C"]),
    ("dictionaries", ["values", ["list", "X", 123, {"A": 1}]], None, [1]),
    ("dictionaries", ["path", "age", ["list", {"age": 23}, {"age": 24}]], None, [23, 24]),
    ("dictionaries", ["path", "age", {"age": 24}], None, 24),
    ("dictionaries", ["path", "foo", {"bar": 123}], None, None),
    ("dictionaries", ["path", ["list", "a", "b"], ["list", {"a": {"b": 1}}, {"a": [{"b": 2}, {"b": 3}]}]], None,
     [1, 2, 3]),
    # dtl-functions-strings.rst
    ("strings", ["string", 1], None, "1"),
    ("strings", ["string", None], None, None),
    ("strings",
     ["string", ["list", "abc", ["list", 1, 2, 3], {"b": 2, "a": 1}, "~rhttp://www.example.org/", 124.4, 12345]],
     None, ["abc", "[1, 2, 3]", '{"a": 1, "b": 2}', "http://www.example.org/", "124.4", "12345"]),
    ("strings", ["is-string", ["list", "foo:bar", 12345]], None, True),
    ("strings", ["is-string", 1], None, False),
    ("strings", ["upper", ["list", "a", "b", "c"]], None, ["A", "B", "C"]),
    ("strings", ["lower", "_S.name"], {"name": "JOHN"}, "john"),
    ("strings", ["length", ["list", "", "a", "bb", "ccc"]], None, [0, 1, 2, 3]),
    ("strings", ["concat", ["list", "a", "b", "c"]], None, "abc"),
    ("strings", ["concat", "Hello ", "_S.name", "!"], {"name": "John"}, "Hello John!"),
    ("strings", ["concat", "a", ["list", "b", "c"], "d", 123, ["list", "!"]], None, "abcd!"),
    ("strings", ["concat", 123, 3.14], None, ""),
    ("strings", ["join", "-", ["list", "a", "b", 123, "c"]], None, "a-b-c"),
    ("strings", ["split", "-", "a-b-c"], None, ["a", "b", "c"]),
    ("strings", ["split", "", ["list", "ab", "cd", "e"]], None, ["a", "b", "c", "d", "e"]),
    ("strings", ["split", "-", ["list", "a-b", "c-d", "e"]], None, ["a", "b", "c", "d", "e"]),
    ("strings", ["strip", ["list", " ab ", "cd ", "ef"]], None, ["ab", "cd", "ef"]),
    ("strings", ["strip", "xy", ["list", "123xyx", "xy456yx"]], None, ["123", "456"]),
    ("strings", ["lstrip", "xy", ["list", "123xyx", "xy456yx"]], None, ["123xyx", "456yx"]),
    ("strings", ["rstrip", ["list", " ab ", "cd ", "ef"]], None, [" ab", "cd", "ef"]),
    ("strings", ["ljust", 10, "0", "123"], None, "1230000000"),
    ("strings", ["rjust", 5, " ", ["list", "abc", "def", "ghijklm"]], None, ["  abc", "  def", "ghijklm"]),
    ("uris", ["is-uri", ["uri", "foo:bar"]], None, True),
    ("uris", ["uri", ["list", "http://www.example.org/", "http://www.sesam.io/", 12345]], None,
     ["~rhttp://www.example.org/", "~rhttp://www.sesam.io/"]),
    ("strings", ["replace", "http://", "https://", "http://www.sesam.io/"], None, "https://www.sesam.io/"),
    ("strings", ["replace", {"Hello": "HELLO", "world": "WORLD"}, "Hello world!"], None, "HELLO WORLD!"),
    ("strings", ["replace", ["dict", "a", "A", "b", "B"], "abc"], None, "ABc"),
    ("strings", ["substring", 2, 4, "abcdef"], None, "cd"),
    ("strings", ["substring", -3, -1, "abcdef"], None, "de"),
    ("strings", ["matches", "a*p*a", ["list", "alpha", "alpaca"]], None, True),
    ("strings", ["matches", "*", None], None, False),
    ("strings", ["matches", "*", ["list"]], None, False),
    # dtl-functions-booleans.rst
    ("booleans", ["boolean", "false"], None, False),
    ("booleans", ["boolean", None], None, None),
    ("booleans", ["boolean", ["list", "true", "~rhttp://www.example.org/", "True", False, 1234]], None,
     [True, True, False]),
    ("booleans", ["boolean", ["boolean", False], ["list", "true", "~rhttp://www.example.org/", "124.4", "FALSE"]], None,
     [True, False, False, False]),
    ("booleans", ["boolean", ["string", "n/a"], ["list", "true", "~rhttp://www.example.org/", "124.4"]], None,
     [True, "n/a", "n/a"]),
    ("booleans", ["is-boolean", ["list", True, "12345"]], None, True),
    # dtl-functions-numbers.rst
    ("numbers", ["integer", "1"], None, 1),
    ("numbers", ["integer", ["list", "1", "~rhttp://www.example.org/", 124.4, 12345]], None, [1, 124, 12345]),
    ("numbers", ["integer", ["integer", 0], ["list", "1", "~rhttp://www.example.org/", "10^2", 12345]], None,
     [1, 0, 0, 12345]),
    ("numbers", ["integer", "0x00ff"], None, 255),
    ("numbers", ["integer", "0xff"], None, -1),
    ("numbers", ["is-integer", ["list", ["integer", "1"], 2]], None, True),
    ("numbers", ["decimal", ["list", "1.0", "~rhttp://www.example.org/", 2.2, "one"]], None, ["~f1.0", "~f2.2"]),
    ("numbers", ["is-decimal", ["decimal", "1.23"]], None, True),
    ("numbers", ["is-decimal", 1.0], None, False),
    ("numbers", ["float", ["list", "1.0", "~rhttp://www.example.org/", 2.2, "one"]], None, [1.0, 2.2]),
    ("numbers", ["float", ["string", "n/a"], ["list", "1.0", 2.0, "~rhttp://www.example.org/", "124.4"]], None,
     [1.0, 2.0, "n/a", 124.4]),
    # dtl-functions-math.rst
    ("math", ["plus", 10, ["list", 1, 2, 3]], None, [11, 12, 13]),
    ("math", ["plus", 10, 10], None, 20),
    ("math", ["minus", 1, ["list", 1, 2, 3]], None, [0, 1, 2]),
    ("math", ["minus", 10, 12], None, 2),
    ("math", ["multiply", 2, ["list", 2, 4, 6]], None, [4, 8, 12]),
    ("math", ["multiply", 2.3, 2], None, 4.6),
    ("math", ["divide", 2, ["list", 2, 4, 6]], None, [1, 2, 3]),
    ("math", ["divide", 10, 20], None, 2),
    ("math", ["divide", ["list", 2, 8], 3], None, 1.5),
    ("math", ["mod", 2, ["list", 2, 5, 6]], None, [0, 1, 0]),
    ("math", ["pow", 3, 10], None, 1000),
    ("math", ["-", 1, ["list", 1, 2, 3]], None, 0),
    ("math", ["-", 10, 12], None, -2),
    ("math", ["+", 10, ["list", 10, 20, 30]], None, 20),
    ("math", ["*", ["list", 2.3, 14], 2], None, 4.6),
    ("math", ["/", ["list", -3, 10, 100], 2], None, -1.5),
    ("math", ["/", 5, 0], None, None),
    ("math", ["round", ["list", 2.2, 3.5, 4.5]], None, [2, 4, 4]),
    ("math", ["round", 1, ["list", 2.2, 4.778, 6]], None, [2.2, 4.8, 6]),
    ("math", ["round", -4.5], None, -4),
    ("math", ["round", -3.5], None, -4),
    ("math", ["ceil", ["list", 2.2, 4.778, 6]], None, [3, 5, 6]),
    ("math", ["floor", 1, ["list", 2.2, 4.778, 6]], None, [2.2, 4.7, 6]),
    ("math", ["abs", ["list", -2, 4, -6]], None, [2, 4, 6]),
    # dtl-functions-date-and-time.rst
    ("date-and-time", ["datetime", "2015-07-28T09:46:00.12345Z"], None, "~t2015-07-28T09:46:00.12345Z"),
    ("date-and-time", ["datetime", 1438076760123450000], None, "~t2015-07-28T09:46:00.12345Z"),
    ("date-and-time", ["datetime-parse", "%Y-%m-%dT%H:%M:%S.%fZ", "2015-07-28T09:46:00.12345Z"], None,
     "~t2015-07-28T09:46:00.12345Z"),
    ("date-and-time", ["datetime-parse", "%Y-%m-%dT%H:%M:%S%z", "2015-07-28T09:46:00+0200"], None,
     "~t2015-07-28T07:46:00Z"),
    ("date-and-time", ["datetime-parse", "%d.%m.%Y", ["list", "28.07.2015", "01.01.1970"]], None,
     ["~t2015-07-28T00:00:00Z", "~t1970-01-01T00:00:00Z"]),
    ("date-and-time", ["datetime-format", "%Y-%m-%dT%H:%M:%SZ", ["datetime-parse", "%Y-%m-%d", "2015-07-28"]], None,
     "2015-07-28T00:00:00Z"),
    ("date-and-time",
     ["datetime-format", "%Y-%m-%d %H:%M:%S", ["datetime-parse", "%Y-%m-%dT%H:%M:%S", "2018-08-18T12:39:01"]],
     None, "2018-08-18 12:39:01"),
    ("date-and-time", ["datetime-format", "Europe/Oslo", "%Y-%m-%d %H:%M:%S",
                       ["datetime-parse", "%Y-%m-%dT%H:%M:%S", "2018-08-18T12:39:01"]], None, "2018-08-18 14:39:01"),
    ("date-and-time", ["datetime-format", "Europe/Oslo", "%Y-%m-%d %H:%M:%S",
                       ["datetime-parse", "Europe/Oslo", "%Y-%m-%dT%H:%M:%S", "2018-08-18T12:39:01"]], None,
     "2018-08-18 12:39:01"),
    ("date-and-time", ["datetime-plus", "day", 1, ["datetime-parse", "%Y-%m-%d", "2015-07-28"]], None,
     "~t2015-07-29T00:00:00Z"),
    ("date-and-time", ["datetime-plus", "hour", -1, ["datetime-parse", "%Y-%m-%d", "2016-03-01"]], None,
     "~t2016-02-29T23:00:00Z"),
    ("date-and-time", ["datetime-plus", "year", 1, ["list", ["datetime-parse", "%Y-%m-%d", "1971-01-01"],
                                                    ["datetime-parse", "%Y-%m-%d", "1950-06-01"]]], None,
     ["~t1972-01-01T00:00:00Z", "~t1951-06-01T00:00:00Z"]),
    ("date-and-time", ["datetime-diff", "day", ["datetime-parse", "%Y-%m-%d", "2015-07-28"],
                       ["datetime-parse", "%Y-%m-%d", "2015-07-29"]], None, -1),
    ("date-and-time", ["datetime-diff", "day", ["datetime-parse", "%Y-%m-%d", "2015-07-29"],
                       ["datetime-parse", "%Y-%m-%d", "2015-07-28"]], None, 1),
    ("date-and-time", ["datetime-diff", "year", ["datetime-parse", "%Y-%m-%d", "2015-03-02"],
                       ["datetime-parse", "%Y-%m-%d", "2016-07-29"]], None, -1),
    ("date-and-time", ["datetime-diff", "month", ["datetime-parse", "%Y-%m-%d", "2015-03-02"],
                       ["datetime-parse", "%Y-%m-%d", "2016-07-29"]], None, -16),
    ("date-and-time",
     ["datetime-shift", "Europe/Oslo", "UTC", ["datetime-parse", "%Y/%m/%d %H:%M", "2015/07/28 09:46"]],
     None, "~t2015-07-28T07:46:00Z"),
    ("date-and-time",
     ["datetime-shift", "UTC", "Europe/Oslo", ["datetime-parse", "%Y/%m/%d %H:%M", "2015/07/28 09:46"]],
     None, "~t2015-07-28T11:46:00Z"),
    ("date-and-time", ["is-datetime", "2015-07-28T09:46:00.12345Z"], None, False),
    ("date-and-time", ["is-datetime", ["datetime", "2015-07-28T09:46:00.12345Z"]], None, True),
    # dtl-functions-namespaced-identifiers.rst
    ("namespaced-identifiers", ["ni", "foo", "bar"], None, "~:foo:bar"),
    ("namespaced-identifiers", ["ni", "bar"], None, "~:bar"),
    ("namespaced-identifiers", ["ni", "foo", ["list", "bar", "x:y"]], None, ["~:foo:bar", "~:foo:x:y"]),
    ("namespaced-identifiers", ["is-ni", ["ni", "foo:bar"]], None, True),
    ("namespaced-identifiers", ["is-ni", "foo:bar"], None, False),
    ("namespaced-identifiers", ["ni-id", "~:foo:bar"], None, "bar"),
    ("namespaced-identifiers", ["ni-id", "bar"], None, "bar"),
    ("namespaced-identifiers", ["ni-id", ["list", "foo:bar", "bar:baz"]], None, ["bar", "baz"]),
    ("namespaced-identifiers", ["ni-ns", "~:foo:bar"], None, "foo"),
    ("namespaced-identifiers", ["ni-ns", "foo"], None, ""),
    ("namespaced-identifiers", ["ni-ns", ["list", "~:foo:bar", "~:bar:baz"]], None, ["foo", "bar"]),
    # dtl-functions-json.rst
    ("json", ["json", 1], None, "1"),
    ("json", ["json", "hello"], None, '"hello"'),
    ("json", ["json", ["list", "abc", ["list", 1, 2, 3], {"b": 2, "a": 1}, "~rhttp://www.example.org/", 124.4, 12345]],
     None, ['"abc"', "[1, 2, 3]", '{"a": 1, "b": 2}', "http://www.example.org/", "124.4", "12345"]),
    ("json", ["json-transit", "hello"], None, '"hello"'),
    ("json", ["json-transit", ["list", "abc", ["list", 1, 2, 3], {"b": 2, "a": 1}, "~rhttp://www.example.org/", 124.4,
                               12345]], None,
     ['"abc"', "[1, 2, 3]", '{"a": 1, "b": 2}', "~rhttp://www.example.org/", "124.4", "12345"]),
    ("json", ["json", {"when": "~t2015-07-28T00:00:00Z"}], None, '{"when": "2015-07-28T00:00:00Z"}'),
    ("json", ["json-transit", {"when": "~t2015-07-28T00:00:00Z"}], None, '{"when": "~t2015-07-28T00:00:00Z"}'),
    ("json", ["json-transit-parse", ["list", "hello", "123", "null", '"abc"', '"~rhttp://example.org/"']], None,
     [123, None, "abc", "~rhttp://example.org/"]),
    ("json", ["json-parse", "1"], None, 1),
    ("json", ["json-parse", '{"a": 1, "b": 2}'], None, {"a": 1, "b": 2}),
    ("json", ["json-parse", "hello"], None, None),
    ("json", ["json-parse", ["list", "hello", "123", "null", '"abc"', '"~rhttp://example.org/"']], None,
     [123, None, "abc", "~rhttp://example.org/"]),
    ("json", ["json-parse", "no-value", "hello"], None, "no-value"),
    # dtl-functions-uris.rst
    ("uris", ["url-quote", "/foo bar/baz"], None, "%2Ffoo%20bar%2Fbaz"),
    ("uris", ["url-quote", "/", "/foo bar/baz"], None, "/foo%20bar/baz"),
    ("uris", ["url-quote", ["list", "å", 1, 2, "~rhttp://example.com", "foo bar"]], None, ["%C3%A5", "foo%20bar"]),
    # dtl-functions-uuids.rst
    ("uuids", ["uuid", "abc98f65-ddf5-1234-a8f5-82f6d8e69726"], None, "~uabc98f65-ddf5-1234-a8f5-82f6d8e69726"),
    ("uuids", ["is-uuid", ["list", "12345", ["uuid"]]], None, False),
    # dtl-functions-misc.rst
    ("misc", ["hash128", "murmur3", "abc"], None, 79267961763742113019008347020647561319),
    ("misc", ["hash128", "murmur3", ["combine", "abc", 123, "def"]], None,
     [79267961763742113019008347020647561319, 114697464648834432121201791580882983835]),
    ("misc", ["literal", "_S.foo"], {"foo": 1}, "_S.foo"),
    ("misc", ["literal", ["upper", "hello"]], None, ["upper", "hello"]),
    ("misc", ["tuples"], None, []),
    ("misc", ["tuples", "a", "b", "c"], None, [["a", "b", "c"]]),
    ("misc", ["tuples", ["list", 1, 2], ["list", 3, None, 4, 5]], None,
     [[1, 3], [1, 4], [1, 5], [2, 3], [2, 4], [2, 5]]),
]


@pytest.mark.parametrize(("doc", "expression", "source", "expected"), DOC_EXAMPLES,
                         ids=[f"{row[0]}:{row[1][0]}:{i}" for i, row in enumerate(DOC_EXAMPLES)])
def test_function_matches_doc_example(doc: str, expression: Any, source: Any, expected: Any) -> None:
    assert evaluate(expression, source) == expected


def test_path_is_namespace_aware() -> None:
    # dtl-functions-dictionaries.rst, path "With namespaced identifiers enabled" (property namespace "bar")
    entity = {"a": 1, "foo:a": 2, "bar:a": [3, 4]}
    assert evaluate(["path", "foo:a", entity], namespaced=True) == 2
    assert evaluate(["path", "a", entity], namespaced=True) == [1, 2, 3, 4]
    assert evaluate(["path", "::a", entity], namespaced=True) == 1
    assert evaluate(["path", ":a", entity], namespaced=True) == [3, 4]


def test_paths_walk_dicts_and_collect_from_lists() -> None:
    # hub/dtl/paths.rst: a path through a list of dicts yields the values found in them
    source = {"orders": [{"lines": [{"sku": "a"}, {"sku": "b"}]}, {"lines": {"sku": "c"}}]}
    assert evaluate("_S.orders.lines.sku", source) == ["a", "b", "c"]
    assert evaluate("_S.missing.sku", source) is None


def test_now_is_a_datetime() -> None:
    assert evaluate(["is-datetime", ["now"]]) is True


def test_unknown_function_is_a_clear_error() -> None:
    with pytest.raises(DTLError, match="unknown DTL function 'no-such-function'"):
        evaluate(["no-such-function", 1])


def test_fail_stops_with_the_message() -> None:
    # dtl-functions-misc.rst: "A function that makes the pump fail"
    with pytest.raises(DTLError, match="Processing stopped"):
        evaluate(["fail!", "Processing stopped because of invalid input."])


@pytest.mark.parametrize(("condition", "holds"), [
    (False, False), (None, False), (["list"], False),
    (True, True), (0, True), ("", True), ("false", True), (["list", False], True), ({}, True),
])
def test_boolean_arguments_are_false_only_for_false_null_and_the_empty_list(condition: Any, holds: bool) -> None:
    # hub/dtl/argument-types.rst, boolean-expression: "false, null and [] evaluate to false. All other values
    # evaluate to true."
    assert evaluate(["if", condition, "then", "else"]) == ("then" if holds else "else")
    assert evaluate(["and", True, condition]) is holds
    assert evaluate(["count", ["filter", condition, ["list", 1, 2]]]) == (2 if holds else 0)


def test_all_and_any_use_the_same_truth() -> None:
    # dtl-functions-boolean-logic.rst: all/any without FUNCTION evaluate each value as a boolean argument
    assert evaluate(["all", ["list", 0, "", ["list", False]]]) is True
    assert evaluate(["any", ["list", None, False, ["list"]]]) is False


def test_equality_never_takes_a_boolean_for_a_number() -> None:
    # dtl-functions-comparisons.rst eq: the lists must be equal; true is a boolean, 1 a number (Python says 1 == True)
    assert evaluate(["eq", 1, True]) is False
    assert evaluate(["eq", 0, False]) is False
    assert evaluate(["eq", ["list", 1, 2], ["list", True, 2]]) is False
    assert evaluate(["eq", {"a": 1}, {"a": True}]) is False
    assert evaluate(["eq", 1, 1.0]) is True
    assert evaluate(["neq", 1, True]) is True
    assert evaluate(["in", True, ["list", 1, 2]]) is False
    assert evaluate(["distinct", ["list", 1, True, 1]]) == [1, True]
    assert evaluate(["case-eq", True, 1, "one", True, "true", "neither"]) == "true"


def test_quoted_path_elements_hold_periods() -> None:
    # hub/dtl/paths.rst: "_S.foo.'john.doe''s'.bar" is ["path", ["list", "foo", "john.doe's", "bar"], "_S."]
    source = {"foo": {"john.doe's": {"bar": 1}, "john": {"doe's": {"bar": 2}}}, "a.b": 3}
    assert evaluate("_S.foo.'john.doe''s'.bar", source) == 1
    assert evaluate(["path", ["list", "foo", "john.doe's", "bar"], "_S."], source) == 1
    assert evaluate("_S.'a.b'", source) == 3
    for broken in ("_S.'a.b", "_S.a'b", "_S.'a'b.c", "_S.'a''"):
        with pytest.raises(DTLError, match="quoted path element"):
            evaluate(broken, source)
