"""The Chroma store (embedded or `chroma run` server) — the only module that talks to Chroma.

Scope: one collection per vector-shaping configuration (model + chunking), holding passage
records and statement records (`kind` metadata); idempotent upsert by content-hash id; an
edited article (same source, new content) replaces its old records; dense search; reading
records back for the replicas' mirrors; a generation marker; one version per source; clear errors
for store trouble. Non-goals: ranking (retrieve.py).

Server mode: `RAG_CHROMA_URL=http://host:port` uses a Chroma `HttpClient`; a path names a
database on that server (`http://host:port/team-a`, created on first use), so deployments
(and tests) can share one server without sharing records.

Generation marker: every write ends by setting the collection's metadata `generation` to a
fresh random token. Readers (library.Library, its mirror) key what they derive on it, so an edit
that keeps the record count is seen, and every replica sharing a server
agrees on what changed — nothing lives only in one process. Record ids are content hashes, so
"what changed" is exactly the set difference of ids (library.py fetches only new records).

Quote vectors: every span an answer may quote (verify.quotable_spans: sentences, trimmed,
statements) is embedded at ingest and kept on its passage's record (metadata `quote_keys`,
`quote_vectors`: text hashes and float16 vectors, base64), so answering embeds only the
question and the vectors live and die with their passage. Reads strip them (`Record.meta` never
holds them) and go page by page, so a library's start holds one page of them at a time. (A
sibling collection was tried first: Chroma loads a collection's whole vector index on first
access, +1.1 GB at 100k passages.) A passage's own vector is
the normalised mean of its sentences' vectors, so ingest runs the model once per sentence and
never on whole passages. Measured with `rag eval` (XQuAD-en, 1,190 questions, fused retrieval),
whole-passage vectors -> sentence means: recall@1 0.942 -> 0.936, recall@5 0.993 -> 0.992,
MRR@10 0.965 -> 0.961, top quote holds the answer 0.755 -> 0.755, abstention 0.923 -> 0.923;
an answer at 13k passages p50 190 -> 22 ms (bench/scale.py: no sentence is embedded at ask).

One version per source: every record carries its write's `written` stamp (ns); after its upsert
each writer reads every record of its sources and deletes all but the latest complete version
(records.stale_versions), so two processes ingesting two versions of one file at once leave
exactly one — the later — and no statement without its passage (tests/test_writers.py).

Crash safety: a document counts as stored only when *all* its record ids are present; a
killed ingest leaves at most a partial document, which the next ingest completes (upsert by
id is idempotent). Passages are written before their statements, and records of an older
version of a source are deleted only after the new version is complete, so a crash never
leaves a statement without its passage nor a source with no version.
"""

from rag.store.chroma import Store
from rag.store.client import StoreError, make_client, parse_url
from rag.store.records import (
    SCHEMA,
    Batch,
    IngestResult,
    Record,
    collection_name,
    doc_meta,
    doc_records,
    quote_id,
    quote_key,
    statement_id,
)

__all__ = [
    "SCHEMA",
    "Batch",
    "IngestResult",
    "Record",
    "Store",
    "StoreError",
    "collection_name",
    "doc_meta",
    "doc_records",
    "make_client",
    "parse_url",
    "quote_id",
    "quote_key",
    "statement_id",
]
