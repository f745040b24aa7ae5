"""The chat model the settings name: any OpenAI-compatible server through langchain-openai, or
Ollama's native API through langchain-ollama (LangChain objects live only in rag/llm/).

Scope: building the client, and telling a server that rejects JSON schemas from other errors.
Non-goals: prompting and checking (rag/llm/prompt.py, rag/llm/check.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rag.config import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


class LLMError(RuntimeError):
    pass


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings name (LangChain objects live only in this module)."""
    url = (settings.llm_base_url or "").rstrip("/")
    if not re.match(r"https?://", url):
        raise ValueError(
            f"RAG_LLM_BASE_URL must be an http(s) URL like http://127.0.0.1:8080/v1, got {url!r}"
        )
    if settings.llm_provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            base_url=url.removesuffix("/v1"),
            model=settings.llm_model or "llama3.2",
            temperature=settings.llm_temperature,
            num_predict=settings.llm_max_tokens,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    if re.fullmatch(r"https?://[^/]+", url):
        url += "/v1"  # OpenAI-compatible servers serve under /v1
    return ChatOpenAI(
        base_url=url,
        api_key=SecretStr(settings.llm_api_key or "not-needed"),
        model=settings.llm_model or "local",
        temperature=settings.llm_temperature,
        max_completion_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_retries,
        stream_usage=True,
    )


def is_bad_request(exc: Exception) -> bool:
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    return status in (400, 422) or "response_format" in str(exc) or "schema" in str(exc).lower()
