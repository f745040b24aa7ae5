"""Gradio entry point: `python app.py` ingests corpus/ (idempotent) and serves the chat."""

from rag.config import Settings
from rag.ui import build_demo, serve

settings = Settings()


def __getattr__(name: str):  # `demo` is built on first use, so `import app` stays cheap
    if name == "demo":
        return build_demo(settings)
    raise AttributeError(name)


if __name__ == "__main__":
    serve(settings)
