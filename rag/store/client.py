"""Opening Chroma: an embedded (persistent) client or an HTTP client to `chroma run`, with errors
that say what to do.

Scope: clients and their errors. Non-goals: records (records.py), reads and writes (chroma.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rag.config import Settings


class StoreError(RuntimeError):
    """The store cannot be opened or reached; the message names it and says what to do."""


def parse_url(url: str) -> tuple[str, int, bool, str | None]:
    """http(s)://host[:port][/database] -> (host, port, ssl, database or None)."""
    from urllib.parse import urlparse

    u = urlparse(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ValueError(f"RAG_CHROMA_URL must look like http://host:port[/database], got {url!r}")
    db = u.path.strip("/") or None
    return u.hostname, u.port or 8000, u.scheme == "https", db


def _server_down(url: str, exc: BaseException) -> StoreError:
    return StoreError(
        f"no Chroma server answers at {url} ({exc}): start it (`chroma run --path DIR --port N`) "
        "or fix RAG_CHROMA_URL; the app carries on once the server is back"
    )


def _http_client(url: str, chroma_settings: Any) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port, ssl, db = parse_url(url)
    try:
        if db is not None:
            admin = chromadb.AdminClient(
                ChromaSettings(
                    chroma_api_impl="chromadb.api.fastapi.FastAPI",
                    chroma_server_host=host,
                    chroma_server_http_port=port,
                    chroma_server_ssl_enabled=ssl,
                    anonymized_telemetry=False,
                )
            )
            try:
                admin.get_database(db)
            except chromadb.errors.NotFoundError:
                try:
                    admin.create_database(db)
                except chromadb.errors.UniqueConstraintError:
                    pass  # another replica created it first
        return chromadb.HttpClient(
            host=host, port=port, ssl=ssl, database=db or "default_database", settings=chroma_settings
        )
    except chromadb.errors.InvalidArgumentError as exc:
        raise StoreError(f"RAG_CHROMA_URL {url!r}: {exc}") from exc
    except Exception as exc:
        if _is_connection_error(exc):
            raise _server_down(url, exc) from exc
        raise


def _persistent_client(store_dir: Path, chroma_settings: Any) -> Any:
    import chromadb

    if store_dir.exists() and not store_dir.is_dir():
        raise StoreError(f"RAG_STORE_DIR {store_dir} is a file, not a folder: point it at a folder")
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store folder {store_dir} ({exc}): set RAG_STORE_DIR") from exc
    db = store_dir / "chroma.sqlite3"
    if not os.access(store_dir, os.W_OK) or (db.exists() and not os.access(db, os.W_OK)):
        raise StoreError(
            f"the store folder {store_dir} is read-only: give this user write access "
            "or set RAG_STORE_DIR to a writable folder"
        )
    if db.exists() and db.stat().st_size and db.open("rb").read(16) != b"SQLite format 3\x00":
        raise StoreError(_corrupt(store_dir, "chroma.sqlite3 is not an SQLite database"))
    try:
        return chromadb.PersistentClient(path=str(store_dir), settings=chroma_settings)
    except BaseException as exc:  # a damaged file can surface as a Rust panic (BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise StoreError(_corrupt(store_dir, str(exc).splitlines()[0] if str(exc) else repr(exc))) from exc


def _corrupt(store_dir: Path, why: str) -> str:
    return (
        f"the store in {store_dir} cannot be read ({why}): move the folder aside and ingest the "
        "articles again (the store is rebuilt from the source files)"
    )


def _is_connection_error(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, httpx.TransportError) or "Could not connect to a Chroma server" in str(exc)


def make_client(settings: Settings) -> Any:
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        return _http_client(settings.chroma_url, chroma_settings)
    return _persistent_client(settings.store_dir, chroma_settings)
