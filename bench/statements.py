"""Statement extraction speed and bounds: `quotes` on news articles of about 1,000 words (warm,
the model loaded), and hostile texts — a 200,000-character paragraph without sentences, one
enormous quote, nested quotes, non-English text — each timed, with what was parsed.

Usage: .venv/bin/python bench/statements.py [ARTICLE_DIR]  (default tests/data/wikinews_2020_2021/articles)
-> JSON with the machine. Process time (CPU seconds of this process), so another job on the
machine changes it less than wall time.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from common import machine  # bench/common.py: scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import nlp  # noqa: E402
from rag.load import load_path, make_document  # noqa: E402
from rag.statements import analyse  # noqa: E402

HOSTILE = {
    "200k_chars_no_sentences": ["word " * 40_000 + "said Lena Ortiz."],
    "one_quote_of_210k_chars": ["Lena Ortiz said “we " + "really " * 30_000 + "mean it”."],
    "nested_quotes_x200": ["“A ‘b “c” d’ e,” she said " * 200],
    "cues_everywhere_200k": ["He said that she said that they said. " * 5_000],
    "spanish": ["El ministro dijo que «la economía crecerá» este año, según fuentes oficiales. " * 20],
    "japanese": ["日本政府は「経済は成長する」と述べた。" * 50],
}


def timed(doc: object) -> dict[str, float]:
    t0 = time.process_time()
    a = analyse.__wrapped__(doc)  # type: ignore[attr-defined]  # not the cached result
    return {
        "cpu_s": round(time.process_time() - t0, 3),
        "statements": len(a.statements),
        "chars": len(doc.text),  # type: ignore[attr-defined]
        "parsed_chars": a.parsed_chars,
        "truncated": a.truncated,
    }


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/data/wikinews_2020_2021/articles"
    nlp.pipeline()
    docs = [load_path(f) for f in sorted(folder.glob("*.md"))]
    around = [d for d in docs if 800 <= len(d.text.split()) <= 1300]
    timed(docs[0])  # warm
    news = [timed(d) | {"words": len(d.text.split())} for d in around]
    per_1000 = [r["cpu_s"] / r["words"] * 1000 for r in news]
    hostile = {
        name: timed(make_document("Hostile text", paras, f"{name}.txt")) for name, paras in HOSTILE.items()
    }
    print(
        json.dumps(
            {
                "machine": machine(),
                "news_articles_800_1300_words": len(news),
                "quotes_cpu_s_per_1000_words": {
                    "median": round(statistics.median(per_1000), 3),
                    "max": round(max(per_1000), 3),
                },
                "share_of_text_parsed_median": round(
                    statistics.median(r["parsed_chars"] / r["chars"] for r in news), 2
                ),
                "hostile": hostile,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
