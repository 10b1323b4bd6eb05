import openai

from runreplay.recording import use_cassette

with use_cassette("cassettes/script/capital.yaml", record_mode="once") as session:
    with openai.OpenAI(max_retries=0) as client:
        run = client.beta.threads.create_and_run(
            assistant_id="asst_abc123",
            thread={"messages": [{"role": "user", "content": "What is the capital of France?"}]},
        )
print(run.status, session.stats().played, session.stats().recorded)
