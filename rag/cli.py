"""`python -m rag ingest | ask | quotes | stats | speakers | eval | serve | llm-server` (DESIGN §3).

Scope: argument parsing, output formats (human or JSON) and exit codes; errors become one
line on stderr and a non-zero exit. Non-goals: any logic of its own.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from rag.config import Settings
from rag.types import Scope


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from rag.pipeline import Pipeline

    with tqdm(desc="ingest", unit="doc", file=sys.stderr, disable=None) as bar:  # None: only on a terminal

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        results = Pipeline(settings).ingest([Path(p) for p in args.paths], progress=progress)
    if not results:
        print("nothing to ingest: no .txt/.md/.html/.pdf files in " + " ".join(args.paths), file=sys.stderr)
        return 2
    for r in results:
        if r.ok:
            print(f"ok   {r.path}: {r.message} ({r.passages} passages, {r.statements} statements)")
        else:
            print(f"FAIL {r.message}", file=sys.stderr)
    return 0 if any(r.ok for r in results) else 1


def _scope(args: argparse.Namespace, extra: dict[str, str] | None = None) -> Scope | None:
    fields = {f: getattr(args, f, None) for f in ("article", "outlet", "since", "until", "speaker")}
    fields.update({k: v for k, v in (extra or {}).items() if k in fields and isinstance(v, str)})
    for f in ("since", "until"):
        if fields[f] and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", fields[f] or ""):
            raise ValueError(f"--{f} must be a date like 2025-12-15, got {fields[f]!r}")
    return Scope(**fields) if any(fields.values()) else None


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from rag.pipeline import Pipeline

    pipe = Pipeline(settings)
    if args.question:
        a = pipe.ask(" ".join(args.question), k=args.k, scope=_scope(args), mode=args.mode)
        if args.json:
            _print_json(a.to_json())
        else:
            print(a.answer)
            for c in a.citations:
                print(f"[{c.n}] {c.title} — {c.source or ''} {c.published or ''}, paragraph {c.paragraph}")
        return 0
    for line_no, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            if not isinstance(req, dict) or not isinstance(req.get("question"), str):
                raise ValueError('each line must be {"question": "...", "history": [...]}')
            hist = req.get("history") or []
            if not isinstance(hist, list) or not all(isinstance(t, dict) for t in hist):
                raise ValueError("history must be a list of {role, content} objects")
            filters = req.get("filters") if isinstance(req.get("filters"), dict) else None
            a = pipe.ask(req["question"], hist, k=args.k, scope=_scope(args, filters), mode=args.mode)
            _print_json(a.to_json())
        except (ValueError, json.JSONDecodeError) as exc:
            _print_json({"error": f"line {line_no}: {exc}"})
    return 0


def cmd_quotes(args: argparse.Namespace, settings: Settings) -> int:
    from rag.load import load_path
    from rag.statements import extract_statements

    doc = load_path(Path(args.file), int(settings.max_file_mb * 1_000_000), settings=settings)
    stmts = extract_statements(doc)
    if args.json:
        _print_json([s.to_json() for s in stmts])
    else:
        for s in stmts:
            print(f"{s.speaker} ({s.kind}, {s.cue or 'continued'}): {s.quote}")
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from rag.pipeline import Pipeline

    st = Pipeline(settings).stats()
    _print_json(st) if args.json else print(", ".join(f"{k}: {v}" for k, v in st.items()))
    return 0


def cmd_speakers(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from rag.pipeline import Pipeline
    from rag.view import roles_text

    speakers = Pipeline(settings).library.speakers()
    if args.json:
        _print_json([asdict(s) for s in speakers])
    else:
        for s in speakers:
            role = f", {held}" if (held := roles_text(s)) else ""
            print(f"{s.name}{role}: {s.statements} statement(s) in {len(s.articles)} article(s)")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from rag.evaluate import run

    if args.mode == "llm":
        from rag.evaluate_llm import run_llm

        _print_json(run_llm(settings, limit=args.limit))
        return 0
    _print_json(run(settings, limit=args.limit, loao_articles=args.loao_articles))
    return 0


def cmd_llm_server(args: argparse.Namespace, settings: Settings) -> int:
    from rag.llm_server import serve

    serve(args.port, args.host, args.threads, args.ctx)
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from rag.ui import serve

    serve(settings)
    return 0


def cmd_export_model(args: argparse.Namespace, settings: Settings) -> int:
    from rag.embed import MINILM_SHA256, check_model_dir, onnx_path, packaged_model_dir

    folder = settings.model_dir or packaged_model_dir()
    check_model_dir(folder, None if settings.model_dir else MINILM_SHA256)
    for int8 in (False, True):
        print(onnx_path(folder, int8, cache=settings.model_cache))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m rag", description="Cited, verified quotes from news articles."
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("ingest", help="add files or folders to the store")
    p.add_argument("paths", nargs="+")
    p = sub.add_parser("ask", help="answer a question (or JSON lines from stdin)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--k", type=int, default=None, help="passages to retrieve")
    p.add_argument("--article", help="only this article (doc_id or words of its title)")
    p.add_argument("--outlet", help="only articles from this source")
    p.add_argument("--since", help="only articles published on or after this date (YYYY-MM-DD)")
    p.add_argument("--until", help="only articles published on or before this date")
    p.add_argument("--speaker", help="only this person's statements")
    p.add_argument(
        "--mode", choices=["quotes", "llm"], default="quotes", help="llm: generated prose (RAG_LLM_BASE_URL)"
    )
    p.add_argument("question", nargs="*")
    p = sub.add_parser("quotes", help="statements found in one file")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("stats", help="counts in the store")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("speakers", help="who is quoted: name, role, statements, articles")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("eval", help="quality metrics (XQuAD, abstention, seed dev) beside the naive baseline")
    p.add_argument(
        "--limit", type=int, default=None, help="questions sampled from XQuAD (default: all 1,190)"
    )
    p.add_argument("--loao-articles", type=int, default=8, help="articles held out for the abstention test")
    p.add_argument(
        "--mode",
        choices=["quotes", "llm"],
        default="quotes",
        help="llm: the seed dev questions answered by the LLM at RAG_LLM_BASE_URL (--limit: how many)",
    )
    sub.add_parser("serve", help="run the Gradio app")
    sub.add_parser(
        "export-model",
        help="export the packaged embedding model to ONNX (fp32 and int8; make install runs it)",
    )
    p = sub.add_parser("llm-server", help="serve the bundled SmolLM2-135M (OpenAI-compatible, 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--ctx", type=int, default=4096, help="context window in tokens")
    args = ap.parse_args(argv)
    if getattr(args, "k", None) is not None and args.k <= 0:
        ap.error(f"--k must be > 0, got {args.k}")
    handlers = {
        "ingest": cmd_ingest,
        "ask": cmd_ask,
        "quotes": cmd_quotes,
        "stats": cmd_stats,
        "speakers": cmd_speakers,
        "eval": cmd_eval,
        "serve": cmd_serve,
        "llm-server": cmd_llm_server,
        "export-model": cmd_export_model,
    }
    try:
        return handlers[args.cmd](args, Settings())
    except (ValueError, RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
