"""Gradio entry point: `python app.py` ingests corpus/ (idempotent) and serves the chat.

Cold start: the store, the model and the corpus check start on a thread before Gradio is
imported (seconds of its own), so the two overlap; `import app` stays cheap.
"""

import os
from concurrent.futures import ThreadPoolExecutor

# nothing phones home: no Gradio analytics, no Hugging Face Hub, no Chroma telemetry
for _var, _off in (
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("HF_HUB_OFFLINE", "1"),
    ("ANONYMIZED_TELEMETRY", "False"),
):
    os.environ.setdefault(_var, _off)

from rag.config import Settings  # noqa: E402

settings = Settings()


def __getattr__(name: str):  # `demo` is built on first use
    if name == "demo":
        from rag.ui import build_demo

        return build_demo(settings)
    raise AttributeError(name)


if __name__ == "__main__":
    from rag.pipeline import Pipeline

    pipe = Pipeline(settings)
    prepared = ThreadPoolExecutor(1).submit(pipe.prepare)  # its error, if any, is raised in serve
    from rag.ui import serve  # Gradio's import runs while the thread prepares

    serve(settings, pipe, prepared)
