"""Statement extractor on LitBank quotations (fiction dialogue; news is the target, so lower
figures are expected here): direct-quote recall and speaker accuracy.

Usage: .venv/bin/python bench/quotes_litbank.py [LITBANK_DIR]   (default ../shared/data/litbank_quotations)
A gold quote is found when an extracted direct quote holds >= 80% of its words (the rule of
shared/tools/score_quotes.py). Its speaker is right when a word of the predicted name is a word
of the gold character id ("Jack_Durbeyfield-0"); LitBank's alias lists are not included, so a
character called by another name ("Sir John") counts as wrong: a lower bound.
Lines are sentences; consecutive lines are joined while a quotation is open, as paragraphs.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.load import make_document  # noqa: E402
from rag.statements import extract_statements  # noqa: E402


def detok(tokens: list[str], open_: bool) -> tuple[str, bool]:
    out = ""
    for t in tokens:
        if t == '"':
            out += (" " if out else "") + '"' if not open_ else '"'
            open_ = not open_
            continue
        glue = out.endswith('"') and open_ and (out == '"' or out.endswith(' "'))
        if not out or glue or re.fullmatch(r"[,.;:!?)\]]|'s|n't|'ll|'re|'ve|'d|'m", t):
            out += t
        else:
            out += " " + t
    return out, open_


def paragraphs(lines: list[str]) -> list[str]:
    paras, cur, open_ = [], [], False
    for line in lines:
        text, open_ = detok(line.split(), open_)
        cur.append(text)
        if not open_:
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return paras


def words(s: str) -> list[str]:
    return re.sub(r"[^\w' ]", " ", s.replace('"', " ")).lower().split()


def main() -> None:
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data/litbank_quotations"
    gold: dict[str, list[dict]] = defaultdict(list)
    for line in (base / "quotes.jsonl").open(encoding="utf-8"):
        q = json.loads(line)
        gold[q["doc"]].append(q)
    found = right = total = extracted = 0
    t_extract = 0.0
    for doc_name, quotes in sorted(gold.items()):
        lines = (base / "tsv" / f"{doc_name}_brat.txt").read_text(encoding="utf-8").splitlines()
        doc = make_document("", paragraphs(lines), doc_name)
        t0 = time.perf_counter()
        stmts = [s for s in extract_statements(doc) if s.kind == "direct"]
        t_extract += time.perf_counter() - t0
        extracted += len(stmts)
        for q in quotes:
            total += 1
            g = set(words(q["quote"]))
            if not g:
                continue
            best = max(stmts, key=lambda s: len(g & set(words(s.quote))), default=None)
            if best is None or len(g & set(words(best.quote))) / len(g) < 0.8:
                continue
            found += 1
            gold_names = set(re.sub(r"-\d+$", "", q["speaker_id"]).lower().split("_"))
            if any(w in gold_names for w in words(best.speaker) if len(w) > 2):
                right += 1
    print(
        json.dumps(
            {
                "documents": len(gold),
                "gold_quotes": total,
                "extracted_direct": extracted,
                "quote_recall": round(found / total, 3),
                "speaker_accuracy_on_found": round(right / found, 3) if found else 0.0,
                "attributed_correctly_of_all": round(right / total, 3),
                "extract_seconds": round(t_extract, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
