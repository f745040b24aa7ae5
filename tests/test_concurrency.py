"""Load on a real app: 20 concurrent gradio_client sessions x 10 questions each (bench/load.py
starts the app on the seed article). Every answer arrives, no session's follow-ups are answered
from another session's history, and the server is still up afterwards. The latency it prints
is a measurement for the notes, not asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_twenty_sessions_ten_questions_each():
    r = subprocess.run(
        [sys.executable, "bench/load.py", "--sessions", "20", "--questions", "10"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    result = json.loads(r.stdout)
    print(json.dumps(result["latency_ms"]), result["wall_s"], "s")
    assert result["answered"] == result["asked"] == 200, result["errors"][:5]
    assert result["history_leaks"] == []
    assert result["server_alive_after"]
