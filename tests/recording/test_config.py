"""Cassette options: one precedence rule, strict checking, and messages that say how to fix a typo."""

from __future__ import annotations

import pytest

from runreplay.errors import ConfigurationError
from runreplay.faults import drop_after, http_error
from runreplay.recording._config import CassetteConfig, resolve


def test_defaults_replay_only_and_match_on_method_url_body() -> None:
    config = resolve()
    assert config == CassetteConfig()
    assert config.record_mode == "none"
    assert config.match_on == ("method", "url", "body")
    assert config.replay_speed == 0.0
    assert config.replays is True
    assert config.records(cassette_exists=False) is False


def test_later_layers_win_and_none_means_unset() -> None:
    ini = {"record_mode": "once", "replay_speed": 1}
    cli = {"record_mode": None, "replay_speed": 0.5}
    fixture = {"record_mode": "new_episodes"}
    marker = {"match_on": ["method", "path"]}
    config = resolve(ini, cli, fixture, marker)
    assert config.record_mode == "new_episodes"
    assert config.replay_speed == 0.5
    assert config.match_on == ("method", "path")


def test_marker_beats_fixture_beats_cli() -> None:
    config = resolve({"record_mode": "all"}, {"record_mode": "once"}, {"record_mode": "none"})
    assert config.record_mode == "none"


@pytest.mark.parametrize(
    ("mode", "exists", "replays", "records"),
    [
        ("none", True, True, False),
        ("none", False, True, False),
        ("once", True, True, False),
        ("once", False, True, True),
        ("new_episodes", True, True, True),
        ("all", True, False, True),
        ("rewrite", True, False, True),
    ],
)
def test_record_modes_decide_replay_and_record(mode: str, exists: bool, replays: bool, records: bool) -> None:
    config = resolve({"record_mode": mode})
    assert config.replays is replays
    assert config.records(cassette_exists=exists) is records


def test_unknown_option_names_the_closest_known_one() -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        resolve({"record_mod": "once"})
    assert str(excinfo.value) == (
        "unknown cassette option 'record_mod'. Did you mean 'record_mode'? Known options: record_mode, "
        "match_on, allow_playback_repeats, replay_speed, faults, ignore_hosts, filter_headers, "
        "filter_response_headers, filter_query_parameters, filter_json_fields, secret_patterns, env_secrets, "
        "decode_compressed, strict, allowed_hosts. See https://pypi.org/project/pytest-runreplay/#configuration"
    )


def test_bad_record_mode_lists_the_modes() -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        resolve({"record_mode": "sometimes"})
    assert str(excinfo.value) == (
        "record_mode must be one of none, once, new_episodes, all, rewrite; got 'sometimes'. "
        "See https://pypi.org/project/pytest-runreplay/#record-mode"
    )


def test_bad_match_on_and_speed_and_bool_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"^match_on must name request parts from method, scheme"):
        resolve({"match_on": ["method", "headers"]})
    with pytest.raises(ConfigurationError, match=r"^replay_speed must be a number >= 0"):
        resolve({"replay_speed": -1})
    with pytest.raises(ConfigurationError, match=r"^replay_speed must be a number >= 0"):
        resolve({"replay_speed": True})
    with pytest.raises(ConfigurationError) as excinfo:
        resolve({"strict": "false"})
    assert str(excinfo.value) == "cassette option 'strict' must be True or False, got 'false'."


def test_string_lists_accept_comma_separated_text() -> None:
    config = resolve({"ignore_hosts": "a.example, b.example", "allowed_hosts": ""})
    assert config.ignore_hosts == ("a.example", "b.example")
    assert config.allowed_hosts == ()


def test_faults_accept_one_spec_or_a_list_and_refuse_anything_else() -> None:
    assert resolve({"faults": drop_after(events=2)}).faults == (drop_after(events=2),)
    assert resolve({"faults": [http_error(status=429)]}).faults == (http_error(status=429),)
    with pytest.raises(ConfigurationError) as excinfo:
        resolve({"faults": ["drop"]})
    assert str(excinfo.value) == (
        "faults must be a list of runreplay.faults specs (drop_after, stall, error_event, http_error); "
        "got 'drop'. See https://pypi.org/project/pytest-runreplay/#faults"
    )


def test_extension_keys_are_kept_unchecked() -> None:
    assert resolve({"x_team": {"a": 1}}).extra == {"x_team": {"a": 1}}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"match_on": ["method", "uri"]},
            "match_on must name request parts from method, scheme, host, port, path, query, url, body; got "
            "['method', 'uri']. Did you mean 'url'? See https://pypi.org/project/pytest-runreplay/#match-on",
        ),
        (
            {"match_on": ["raw_body"]},
            "match_on must name request parts from method, scheme, host, port, path, query, url, body; got "
            "['raw_body']. Did you mean 'body'? See https://pypi.org/project/pytest-runreplay/#match-on",
        ),
        (
            {"record_mode": "new_episode"},
            "record_mode must be one of none, once, new_episodes, all, rewrite; got 'new_episode'. Did you mean "
            "'new_episodes'? See https://pypi.org/project/pytest-runreplay/#record-mode",
        ),
        (
            {"record_mode": "sometimes"},
            "record_mode must be one of none, once, new_episodes, all, rewrite; got 'sometimes'. "
            "See https://pypi.org/project/pytest-runreplay/#record-mode",
        ),
    ],
)
def test_bad_values_get_the_closest_valid_one(given: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve(given)
    assert str(info.value) == message


def test_the_plugins_layer_order_puts_the_command_line_last() -> None:
    # The plugin resolves (ini, fixture, marker, command line): an option given on the command line wins.
    ini, fixture, marker, cli = (
        {"record_mode": "rewrite"},
        {"record_mode": "once"},
        {"record_mode": "all"},
        {},
    )
    assert resolve(ini, fixture, marker, cli).record_mode == "all"
    assert resolve(ini, fixture, marker, {"record_mode": "none"}).record_mode == "none"
