"""What the plugin reads at start-up: option value types and the settings layers, kept light.

Every pytest run with runreplay installed imports this module, so it uses the standard library and
pytest only; checking settings that are not the defaults imports the rest (`recording._pytest_support`).
"""

from __future__ import annotations

import argparse
import os
import random
import uuid
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from runreplay.recording._guard import AllowedHosts

__all__ = [
    "DEFAULT_SEED",
    "OPTION_HELP",
    "layers",
    "recording_loads",
    "replay_speed",
    "seed",
    "seed_and_run_id",
]

DEFAULT_SEED = 0
"""The session seed when --runreplay-seed is not given: fixed, so recorded factory data replays."""
_DEFAULT_INI = {"record_mode": "none", "replay_speed": "0", "strict": False, "allowed_hosts": None}
"""The ini layer when no runreplay_* key is set: valid by construction, so nothing is imported to check it."""

OPTION_HELP = {
    "record-mode": "none (default): replay only, network blocked. once: record cassettes that do not exist. "
    "new_episodes: also record requests with no recording. all: record every request. "
    "rewrite: replace cassettes with what this run records. With pytest-recording loaded, its "
    "--record-mode drives both.",
    "replay-speed": "factor applied to recorded delays: 0 (default) plays instantly, 1 plays the recorded "
    "timing.",
    "seed": "session seed for request factories: an integer, or 'random' (default: 0, so factory data "
    "and cassettes agree from run to run; printed in the header).",
    "allowed-hosts": "hosts reachable while the network is blocked: names, addresses or CIDRs, "
    "comma-separated. Replaces the default (loopback); empty allows nothing; * allows all.",
    "strict": "fail tests that leave recorded interactions unplayed or whose cassette does not exist "
    "(shared cassettes are judged over the whole run).",
    "block-network": "block the network for the whole run from session start, not only in tests that "
    "replay a cassette (@pytest.mark.allow_network opts a test out).",
}
"""The `--help` text of each `--runreplay-*` option."""


def replay_speed(value: str) -> float:
    """argparse type for --replay-speed: a finite number >= 0."""
    try:
        speed = float(value)
    except ValueError:
        speed = -1.0
    if not 0 <= speed < float("inf"):
        raise argparse.ArgumentTypeError(
            f"expected a number >= 0 (0 = instant, 1 = recorded timing), got {value!r}"
        )
    return speed


def seed(value: str) -> int:
    """argparse type for --runreplay-seed: a non-negative integer, or 'random' for a fresh one."""
    if value == "random":
        return random.randrange(2**32)
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer or 'random', got {value!r}")
    return number


def recording_loads(pluginmanager: pytest.PytestPluginManager) -> bool:
    """Whether pytest-recording is (or will be) loaded in this run, so it owns its option names."""
    if pluginmanager.is_blocked("recording"):
        return False
    if pluginmanager.get_plugin("recording") is not None:
        return True
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    import importlib.util

    return importlib.util.find_spec("pytest_recording") is not None


def layers(config: pytest.Config) -> tuple[dict[str, Any], dict[str, Any], AllowedHosts | None]:
    """The ini and command-line layers, checked once (a usage error now rather than one per test)."""
    cli_mode = config.getoption("runreplay_record_mode")
    if cli_mode is None and config.pluginmanager.hasplugin("recording"):
        cli_mode = config.getoption("record_mode", None)  # pytest-recording's --record-mode drives both
    keys = ("replay_speed", "strict", "allowed_hosts")
    ini = {key: config.getini(f"runreplay_{key}") for key in ("record_mode", *keys)}
    cli = {"record_mode": cli_mode, **{key: config.getoption(f"runreplay_{key}") for key in keys}}
    if ini == _DEFAULT_INI and all(value is None for value in cli.values()):
        return {**ini, "replay_speed": 0.0}, cli, None  # a suite that sets nothing imports nothing here
    from runreplay.recording._pytest_support import base_layers

    return base_layers(ini=ini, cli=cli)


def seed_and_run_id(config: pytest.Config) -> tuple[int, str]:
    """The session seed and the run id; an xdist worker takes the controller's (so 'random' is drawn once)."""
    workerinput: dict[str, Any] = getattr(config, "workerinput", {})
    chosen = workerinput.get("runreplay_seed", config.getoption("runreplay_seed"))
    run_id = workerinput.get("testrunuid") or workerinput.get("runreplay_run_id") or uuid.uuid4().hex
    return DEFAULT_SEED if chosen is None else int(chosen), str(run_id)
