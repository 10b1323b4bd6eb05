import openai
import pytest


@pytest.mark.cassette
def test_the_assistant_answers():
    # While recording, OPENAI_API_KEY and OPENAI_BASE_URL come from the environment. On replay they
    # may be unset: runreplay fills in a placeholder key and the recorded base URL, no request leaves
    # the process, and the key never reached the cassette.
    with openai.OpenAI(max_retries=0) as client:
        stream = client.beta.threads.create_and_run(
            assistant_id="asst_abc123",
            thread={"messages": [{"role": "user", "content": "What is the capital of France?"}]},
            stream=True,
        )
        events = [event.event for event in stream]
    assert events[0] == "thread.created"
    assert events[-1] == "thread.run.completed"
