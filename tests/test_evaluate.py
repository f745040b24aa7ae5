"""The eval harness on a small XQuAD sample (the full run is `python -m rag eval`)."""

from __future__ import annotations

import pytest

from rag.config import Settings
from rag.evaluate import run

pytestmark = pytest.mark.slow


def test_eval_subset_reports_every_metric_beside_the_baseline(tmp_path):
    out = run(Settings(store_dir=tmp_path), limit=60, loao_articles=3)
    ours, base = out["xquad"]["ours"], out["xquad"]["baseline"]
    for key in (
        "recall@1",
        "recall@5",
        "mrr@10",
        "top_quote_contains_answer",
        "any_quote_contains_answer",
        "mean_quote_words",
        "answer_rate",
    ):
        assert 0 <= ours[key] <= (1 if key != "mean_quote_words" else 1000)
        assert key in base
    assert ours["citations_verified"] == 1.0
    assert ours["recall@5"] >= 0.9  # a sanity floor, far below the full-run figures in the README
    assert ours["mean_quote_words"] < base["mean_quote_words"]  # sentences, not 500-char chunks
    assert out["abstention_leave_one_article_out"]["questions"] > 0
    assert out["seed_dev"] == {"questions": 12, "passed": 12}
