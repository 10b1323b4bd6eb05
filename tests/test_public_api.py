"""The public facade is pinned: adding or removing a name is a deliberate, reviewed change."""

from __future__ import annotations

import types

import runreplay


def test_facade_exports_exactly_the_pinned_names() -> None:
    assert runreplay.__all__ == [
        "CassetteFormatError",
        "ConfigurationError",
        "NetworkBlockedError",
        "RunreplayError",
        "SecretLeakError",
        "UnmatchedRequestError",
        "__version__",
    ]


def test_every_exported_name_exists_and_all_public_names_are_exported() -> None:
    public = {
        name
        for name, value in vars(runreplay).items()
        if not name.startswith(("_", "@")) and not isinstance(value, types.ModuleType)
    }
    public.discard("annotations")  # the __future__ import is not API
    assert public == set(runreplay.__all__) - {"__version__"}
    for name in runreplay.__all__:
        assert getattr(runreplay, name) is not None


def test_every_error_derives_from_the_one_base() -> None:
    for name in runreplay.__all__:
        obj = getattr(runreplay, name)
        if isinstance(obj, type):
            assert issubclass(obj, runreplay.RunreplayError)
