import openai
import pytest

from runreplay.faults import drop_after, http_error

QUESTION = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}


def answer(client: openai.OpenAI, attempts: int = 3) -> str:
    """The code under test: stream an answer, retrying when the stream breaks or the API says 429."""
    for attempt in range(attempts):
        try:
            stream = client.beta.threads.create_and_run(
                assistant_id="asst_abc123", thread=QUESTION, stream=True
            )
            return "".join(
                part.text.value
                for event in stream
                if event.event == "thread.message.delta"
                for part in event.data.delta.content or []
                if part.type == "text" and part.text and part.text.value
            )
        except (openai.APIConnectionError, openai.RateLimitError):
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@pytest.mark.cassette
def test_answer():
    with openai.OpenAI(max_retries=0) as client:
        assert "France" in answer(client)


@pytest.mark.cassette(name="test_answer", faults=[http_error(status=429, times=2)])
def test_answer_after_two_rate_limits():
    with openai.OpenAI(max_retries=0) as client:
        assert "France" in answer(client)


@pytest.mark.cassette(name="test_answer", faults=[drop_after(events=5, times=1)], allow_playback_repeats=True)
def test_answer_after_a_dropped_stream():
    with openai.OpenAI(max_retries=0) as client:
        assert "France" in answer(client)
