import openai
import pytest
from pydantic import ValidationError

from runreplay.factories.responses import build_request, invalid_cases
from runreplay.models.responses import CreateResponseRequest, rule_ids_for

QUESTION = "What is the capital of France?"


@pytest.mark.cassette
def test_the_assistant_still_answers():
    # The legacy test stays as it is and replays its committed cassette.
    with openai.OpenAI(max_retries=0) as client:
        stream = client.beta.threads.create_and_run(
            assistant_id="asst_abc123",
            thread={"messages": [{"role": "user", "content": QUESTION}]},
            stream=True,
        )
        assert [event.event for event in stream][-1] == "thread.run.completed"


@pytest.mark.cassette
def test_the_responses_api_answers():
    # The new test next to it: recorded once (--record-mode=once), then replayed like the old one.
    with openai.OpenAI(max_retries=0) as client:
        with client.responses.stream(model="gpt-4o", input=QUESTION) as stream:
            deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
            final = stream.get_final_response()
    assert "".join(deltas) == final.output_text


def test_a_realistic_body_is_valid():
    body = build_request(seed=7, stream=True).model_dump(mode="json", exclude_unset=True)
    assert CreateResponseRequest.model_validate(body).stream is True


@pytest.mark.parametrize("case", invalid_cases()[:50], ids=lambda case: case.id)
def test_invalid_bodies_name_their_rule(case):
    with pytest.raises(ValidationError) as excinfo:
        CreateResponseRequest.model_validate(case.body)
    assert rule_ids_for(excinfo.value) == [(case.rule, case.path)]
