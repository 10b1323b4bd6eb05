"""One feature, two APIs: the weather question on Assistants (legacy cassette) and on Responses.

The Assistants case replays the cassette recorded before the migration (it can no longer be
recorded against OpenAI once Assistants is removed); the Responses case replays its own recording.
Both run offline and must pass the very same assertions.
"""

from __future__ import annotations

from collections.abc import Callable

import assistant_app
import openai
import pytest
import responses_app

Ask = Callable[..., assistant_app.Answer]


@pytest.mark.parametrize(
    "ask",
    [
        pytest.param(
            assistant_app.ask,
            id="assistants",
            marks=[
                # The legacy recording, shared with test_assistant_app.py (never re-recorded from here).
                pytest.mark.cassette(
                    name="examples/test_assistant_app/test_answers_a_weather_question_with_the_tool"
                ),
                pytest.mark.replay_only,
            ],
        ),
        pytest.param(responses_app.ask, id="responses", marks=pytest.mark.cassette),
    ],
)
def test_answers_a_weather_question_with_the_tool(client: openai.OpenAI, ask: Ask) -> None:
    answer = ask(client, "What's the weather in Paris?")
    assert answer.status == "completed"
    assert len(answer.tool_calls) == 1
    assert answer.tool_calls[0].startswith("get_weather(")
    assert answer.text
