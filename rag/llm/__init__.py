"""Generated answers: numbered sources, the prompt and schema, the chat-model client, the
generator (streaming, fallbacks) and the check that holds every quote to its source."""
