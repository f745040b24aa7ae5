"""`python -m rag eval --mode llm`: the seed dev questions answered through the generative path
(rag/llm/) against a running OpenAI-compatible server, with what happened to the model's quotes.

Scope: pass rate by the seed rules (evaluate._seed_pass), quotes exact / corrected / removed,
fallbacks, latency and tokens per second. Non-goals: the extractive metrics (evaluate.py).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from rag.config import Settings
from rag.evaluate import DATA, _pipeline, _seed_pass, replace_settings


def run_llm(settings: Settings, limit: int | None = None, data: Path = DATA) -> dict[str, Any]:
    """The seed dev questions answered by the LLM at settings.llm_base_url: how often the seed
    rules pass, how the model's quotes fared (exact / corrected / removed), fallbacks, latency and
    tokens per second. Needs a running server (`python -m rag llm-server`)."""
    from rag.embed import load_embeddings

    if not settings.llm_base_url:
        raise ValueError("eval --mode llm needs RAG_LLM_BASE_URL (start `python -m rag llm-server`)")
    qs = [json.loads(line) for line in (data / "dev_questions.jsonl").open(encoding="utf-8")][:limit]
    t0 = time.perf_counter()
    keys = ("quotes_model", "quotes_exact", "quotes_corrected", "quotes_removed", "bad_refs_dropped")
    extra = ("fallback", "llm_error", "llm_skipped", "injection_suspected", "llm_truncated")
    sums = dict.fromkeys((*keys, *extra), 0.0)
    lat, tps, toks, passed, rows = [], [], [], 0, []
    with tempfile.TemporaryDirectory() as tmp:
        embeddings = load_embeddings(settings.model_dir, settings.embed_backend, settings.model_cache)
        pipe = _pipeline(replace_settings(settings, Path(tmp)), embeddings, [])
        pipe.ingest([data / "ukraine-nato-offer-2025-12-15.txt"])
        for q in qs:
            a = pipe.ask(q["question"], q.get("history", []), mode="llm")
            t = a.timings_ms
            for key in sums:
                sums[key] += t.get(key, 0.0)
            if t.get("llm_ms") and not t.get("llm_error"):
                lat.append(t["llm_ms"])
                toks.append(t.get("llm_tokens", 0.0))
                if t.get("llm_tokens_per_s"):
                    tps.append(t["llm_tokens_per_s"])
            ok = _seed_pass(q, a.to_json())
            passed += ok
            rows.append(
                {"id": q.get("id"), "pass": ok, "fallback": bool(t.get("fallback")), "answer": a.answer}
            )
    model_q = sums["quotes_model"] or 1.0
    return {
        "questions": len(qs),
        "passed": passed,
        "model_quotes": int(sums["quotes_model"]),
        "share_exact": round(sums["quotes_exact"] / model_q, 3),
        "share_corrected": round(sums["quotes_corrected"] / model_q, 3),
        "share_removed": round(sums["quotes_removed"] / model_q, 3),
        "bad_refs_dropped": int(sums["bad_refs_dropped"]),
        "fallbacks": int(sums["fallback"]),
        "llm_errors": int(sums["llm_error"]),
        "llm_skipped_abstained": int(sums["llm_skipped"]),
        "injection_suspected": int(sums["injection_suspected"]),
        "truncated_at_timeout": int(sums["llm_truncated"]),
        "llm_timeout_s": settings.llm_timeout,
        "llm_ms_p50": round(statistics.median(lat), 1) if lat else None,
        "llm_ms_max": round(max(lat), 1) if lat else None,
        "tokens_mean": round(statistics.mean(toks), 1) if toks else None,
        "tokens_per_s_mean": round(statistics.mean(tps), 2) if tps else None,
        "answers": rows,
        "seconds": round(time.perf_counter() - t0, 1),
    }
