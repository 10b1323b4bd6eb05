"""Fault specs check their arguments when made, so a typo fails at collection time."""

from __future__ import annotations

import pytest

from runreplay.errors import ConfigurationError
from runreplay.faults import (
    DropAfter,
    ErrorEvent,
    HttpError,
    Stall,
    drop_after,
    error_event,
    http_error,
    stall,
)


def test_specs_are_plain_values() -> None:
    assert drop_after(events=3) == DropAfter(events=3)
    assert stall(before_chunk=2, seconds=1) == Stall(before_chunk=2, seconds=1.0)
    assert error_event(after=1, message="boom") == ErrorEvent(
        after=1, message="boom", code="server_error", type="server_error"
    )
    assert http_error(status=429) == HttpError(
        status=429,
        times=1,
        retry_after=0.05,
        message="Rate limit reached for requests. Please try again in a moment.",
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: drop_after(events=-1), "drop_after(events=...) must be an integer >= 0, got -1."),
        (lambda: drop_after(events=True), "drop_after(events=...) must be an integer >= 0, got True."),
        (
            lambda: stall(before_chunk=0, seconds=-2),
            "stall(seconds=...) must be a finite number of seconds >= 0, got -2.",
        ),
        (
            lambda: stall(before_chunk="1", seconds=1),
            "stall(before_chunk=...) must be an integer >= 0, got '1'.",
        ),
        (lambda: error_event(after=0, message=3), "error_event(message=...) must be a string, got 3."),
        (lambda: http_error(status=200), "http_error(status=...) must be an integer >= 400, got 200."),
        (
            lambda: http_error(status=700),
            "http_error(status=...) must be an HTTP error status 400-599, got 700.",
        ),
        (lambda: http_error(status=500, times=0), "http_error(times=...) must be an integer >= 1, got 0."),
    ],
)
def test_bad_arguments_say_what_was_given_and_expected(make: object, message: str) -> None:
    with pytest.raises(ConfigurationError) as excinfo:
        make()  # type: ignore[operator]
    assert str(excinfo.value) == message
