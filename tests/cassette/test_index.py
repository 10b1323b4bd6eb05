"""Tests of request keys (normalization per part) and of CassetteIndex (order, played state, errors)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runreplay.cassette import (
    DEFAULT_MATCH_ON,
    CassetteIndex,
    Interaction,
    KeyTable,
    RecordedRequest,
    RecordedResponse,
    make_key_function,
    request_key,
)
from runreplay.errors import ConfigurationError

URL = "https://api.openai.com/v1/threads/runs"


def post(
    body: bytes | str = b"", url: str = URL, content_type: str | None = "application/json"
) -> RecordedRequest:
    headers = [("Content-Type", content_type)] if content_type else []
    return RecordedRequest("POST", url, headers, body.encode() if isinstance(body, str) else body)


def interaction(request: RecordedRequest, status: int = 200) -> Interaction:
    return Interaction(request, RecordedResponse(status))


def same(a: RecordedRequest, b: RecordedRequest, match_on: tuple[str, ...] = DEFAULT_MATCH_ON) -> bool:
    return request_key(a, match_on) == request_key(b, match_on)


class TestKeys:
    def test_default_match_on(self) -> None:
        assert DEFAULT_MATCH_ON == ("method", "url", "body")
        assert request_key(post('{"b": 1, "a": [1, 2]}')) == (
            "POST",
            ("https", "api.openai.com", None, "/v1/threads/runs", ()),
            '{"a":[1,2],"b":1}',
        )

    def test_json_key_order_and_whitespace_are_ignored(self) -> None:
        assert same(post('{"a": 1, "b": {"c": [1, 2]}}'), post('{"b":{"c":[1,2]},"a":1}'))
        assert same(post('\n{ "a" : 1 }\n'), post('{"a":1}'))

    def test_json_values_still_matter(self) -> None:
        assert not same(post('{"a": 1}'), post('{"a": 2}'))
        assert not same(post('{"a": [1, 2]}'), post('{"a": [2, 1]}'))

    def test_int_and_float_are_different_json(self) -> None:
        assert not same(post('{"t": 1}'), post('{"t": 1.0}'))

    def test_unicode_escapes_and_raw_characters_are_the_same_json(self) -> None:
        assert same(post('{"a": "\\u00e9"}'), post('{"a": "é"}'))

    def test_json_is_recognized_without_a_content_type(self) -> None:
        assert same(
            post('{"a":1, "b":2}', content_type=None), post('{"b":2,"a":1}', content_type="text/plain")
        )

    def test_non_json_bodies_are_compared_byte_for_byte(self) -> None:
        assert request_key(post(b"\xff\x00", content_type=None))[2] == b"\xff\x00"
        assert not same(post("hello "), post("hello"))
        assert not same(post('{"a":1'), post('{"a": 1'))

    def test_empty_body(self) -> None:
        assert request_key(post(b""))[2] == b""
        assert same(post(b""), RecordedRequest("POST", URL))

    def test_json_scalars(self) -> None:
        assert request_key(post(' "x"'))[2] == '"x"'
        assert same(post("1.50"), post("1.5"))
        assert request_key(post("-"))[2] == b"-"

    def test_form_body_that_is_not_utf8_is_compared_as_bytes(self) -> None:
        assert request_key(post(b"a=\xff", content_type="application/x-www-form-urlencoded"))[2] == b"a=\xff"

    def test_form_bodies_are_sorted_pairs(self) -> None:
        form = "application/x-www-form-urlencoded"
        assert same(post("b=2&a=1&a=0", content_type=form), post("a=0&a=1&b=2", content_type=form))
        assert request_key(post("b=&a=1", content_type=form))[2] == (("a", "1"), ("b", ""))
        assert not same(post("a=1&a=0", content_type=form), post("a=1", content_type=form))

    def test_query_order_is_ignored_and_blank_values_kept(self) -> None:
        assert same(post(url=f"{URL}?b=2&a=&c=3"), post(url=f"{URL}?c=3&a=&b=2"))
        assert not same(post(url=f"{URL}?a="), post(url=URL))
        assert not same(post(url=f"{URL}?a=1&a=2"), post(url=f"{URL}?a=1"))

    def test_scheme_and_host_case_and_default_port(self) -> None:
        assert same(post(url="HTTPS://API.OpenAI.com:443/v1/threads/runs"), post())
        assert same(post(url="http://localhost:80/x"), post(url="http://localhost/x"))
        assert not same(post(url="http://localhost:8080/x"), post(url="http://localhost/x"))
        assert not same(post(url="https://api.openai.com/V1/threads/runs"), post())

    def test_empty_path_is_slash(self) -> None:
        assert same(post(url="https://example.com"), post(url="https://example.com/"))

    def test_bad_port_does_not_raise(self) -> None:
        assert request_key(post(url="http://host:port/x"), ["host", "port"]) == ("host:port", None)

    def test_method_case_is_ignored(self) -> None:
        assert same(RecordedRequest("get", URL), RecordedRequest("GET", URL))

    def test_parts(self) -> None:
        request = post('{"a":1}', url="HTTP://Example.com:8080/p/q?z=1&y=2")
        names = ("method", "scheme", "host", "port", "path", "query", "body")
        assert request_key(request, names) == (
            "POST",
            "http",
            "example.com",
            8080,
            "/p/q",
            (("y", "2"), ("z", "1")),
            '{"a":1}',
        )
        assert request_key(request, ["url"]) == (
            ("http", "example.com", 8080, "/p/q", (("y", "2"), ("z", "1"))),
        )

    def test_parts_that_are_left_out_do_not_matter(self) -> None:
        assert same(post("a"), post("b"), ("method", "url"))
        assert same(post(url=f"{URL}?a=1"), post(url=f"{URL}?a=2"), ("method", "path"))

    def test_headers_are_never_part_of_the_key(self) -> None:
        a = RecordedRequest("GET", URL, [("Authorization", "Bearer 1")])
        b = RecordedRequest("GET", URL, [("Authorization", "Bearer 2")])
        assert same(a, b)

    def test_unknown_part(self) -> None:
        with pytest.raises(ConfigurationError) as info:
            make_key_function(["method", "uri", "headers"])
        assert str(info.value) == (
            "match_on has the unknown request parts 'uri', 'headers'; valid parts are method, scheme, host, "
            "port, path, query, url, body."
        )

    def test_one_unknown_part(self) -> None:
        with pytest.raises(ConfigurationError) as info:
            make_key_function(["uri"])
        assert str(info.value) == (
            "match_on has the unknown request part 'uri'; valid parts are method, scheme, host, port, path, "
            "query, url, body."
        )

    def test_a_string_is_not_a_list(self) -> None:
        with pytest.raises(ConfigurationError) as info:
            make_key_function("method")
        assert str(info.value) == (
            "match_on must be a list of request parts, not the string 'method'; write ['method'] for one "
            "part. Valid parts: method, scheme, host, port, path, query, url, body."
        )

    def test_empty_match_on(self) -> None:
        with pytest.raises(ConfigurationError) as info:
            make_key_function([])
        assert str(info.value) == (
            "match_on is empty, so every request would match every recording; name at least one of method, "
            "scheme, host, port, path, query, url, body."
        )

    def test_configuration_error_is_a_value_error(self) -> None:
        with pytest.raises(ValueError):
            make_key_function(["nope"])

    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5) | st.none(), max_size=6))
    def test_any_json_layout_of_the_same_object_matches(self, value: dict[str, object]) -> None:
        compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        pretty = json.dumps(dict(reversed(list(value.items()))), indent=3)
        assert same(post(compact), post(pretty))


class TestIndex:
    def test_identical_requests_play_in_recorded_order(self) -> None:
        key = make_key_function()
        recorded = [interaction(post('{"a":1}'), status) for status in (201, 202, 203)]
        index = CassetteIndex(recorded, key)
        got = [index.take(key(post('{ "a": 1 }'))) for _ in range(4)]
        assert got == [(0, recorded[0]), (1, recorded[1]), (2, recorded[2]), None]

    def test_distinct_keys_are_independent(self) -> None:
        key = make_key_function()
        a, b = interaction(post('{"a":1}')), interaction(post('{"b":1}'))
        index = CassetteIndex([a, b, a], key)
        assert index.take(key(b.request)) == (1, b)
        assert index.take(key(a.request)) == (0, a)
        assert index.take(key(b.request)) is None
        assert index.take(key(a.request)) == (2, a)
        assert index.take(key(post("unknown"))) is None

    def test_played_and_unplayed_positions(self) -> None:
        key = make_key_function()
        items = [interaction(post(f'{{"i":{i}}}')) for i in range(4)]
        index = CassetteIndex(items, key)
        assert (index.unplayed(), index.played_positions(), len(index)) == ([0, 1, 2, 3], [], 4)
        index.take(key(items[2].request))
        assert (index.unplayed(), index.played_positions()) == ([0, 1, 3], [2])

    def test_add_appends_played_or_playable(self) -> None:
        key = make_key_function()
        index = CassetteIndex([], key)
        first = interaction(post("x"))
        assert index.add(first) == 0
        assert index.take(key(first.request)) is None
        assert index.add(first, played=False) == 1
        assert index.take_request(first.request) == (1, first)
        assert index.played_positions() == [0, 1]
        assert index.interactions == [first, first]

    def test_key_helpers(self) -> None:
        key = make_key_function(["method"])
        index = CassetteIndex([interaction(post("x"))], key)
        assert index.key_fn is key
        assert index.key(post("y")) == ("POST",)
        assert index.take(("POST",)) is not None

    def test_lookup_cost_does_not_grow_with_position(self) -> None:
        # Not a timing test: the index touches one queue per take, whatever the cassette's size.
        key = make_key_function()
        items = [interaction(post(f'{{"i":{i}}}')) for i in range(5000)]
        index = CassetteIndex(items, key)
        assert index.take(key(items[-1].request)) == (4999, items[-1])
        assert len(index._table._positions) == 5000

    def test_views_over_one_table_keep_their_own_cursors(self) -> None:
        # N tests sharing a cassette share one table; each sees every recording, played once for it.
        key = make_key_function()
        a, b = interaction(post("a")), interaction(post("b"))
        table = KeyTable([a, a, b], key)
        first, second = CassetteIndex.over(table), CassetteIndex.over(table)
        assert first.take(key(a.request)) == (0, a)
        assert first.take(key(a.request)) == (1, a)
        assert first.take(key(a.request)) is None
        assert second.take(key(a.request)) == (0, a)
        assert (first.unplayed(), second.unplayed()) == ([2], [1, 2])

    def test_a_view_sees_only_what_the_table_held_when_it_was_made(self) -> None:
        key = make_key_function()
        a = interaction(post("a"))
        items = [a]
        table = KeyTable(items, key)
        view = CassetteIndex.over(table)
        later = interaction(post("a"))
        items.append(later)
        table.extend()
        assert view.take(key(a.request)) == (0, a)
        assert view.take(key(a.request)) is None
        assert len(view) == 1
        assert view.add(interaction(post("c"))) == 1  # its own recording, after what it saw
        assert CassetteIndex.over(table).take(key(a.request)) == (0, a)
        assert len(CassetteIndex.over(table)) == 2
        assert table.positions(key(a.request)) == [0, 1]
