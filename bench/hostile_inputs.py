"""Hostile inputs: how fast, and in how much memory, ingest refuses what it must refuse.

Each case runs in a fresh Python process that reads its input from a file, notes its peak RSS,
then parses (or fetches) and reports the wall time and how far the peak RSS rose during that
step (ru_maxrss: the peak, so the figure is an upper bound of what the step held at once).
The inputs are generated here: a loopback server that sends one byte a second, a 5,000-page PDF
(honest and lying /Count), decompression bombs (one stream; many pages each under the per-stream
cap), a page of 400,000 operators and operands, 900 pages and a form XObject drawn 5,000 times,
each slow enough to hit a short extraction deadline, a font's 700,000-entry ToUnicode map, and HTML with 200,000 elements or 100,000 levels of nesting; a real PDF from /usr/share/doc, when
there is one, shows the cost of an accepted file. Prints JSON with the machine.

    .venv/bin/python bench/hostile_inputs.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from common import machine  # bench/common.py: scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent


def _pdf(objs: list[bytes]) -> bytes:
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def _stream(raw: bytes, deflate: bool = True) -> bytes:
    data = zlib.compress(raw, 9) if deflate else raw
    return b"<< /Length %d%s >>\nstream\n" % (len(data), b" /Filter /FlateDecode" if deflate else b"") + (
        data + b"\nendstream"
    )


def _pages(contents: list[bytes], declared: int | None = None) -> bytes:
    distinct = list(dict.fromkeys(contents))
    first = 4 + len(distinct)
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(len(contents)))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents) if declared is None else declared),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *distinct,
    ]
    objs += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
        b"/Resources << /Font << /F1 3 0 R >> >> >>" % (4 + distinct.index(c))
        for c in contents
    ]
    return _pdf(objs)


def _bomb(mb: int) -> bytes:
    z = zlib.compressobj(9)
    block = b" " * 1_000_000
    data = b"".join(z.compress(block) for _ in range(mb)) + z.flush()
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"


def _line(i: int) -> bytes:
    return b"BT /F1 12 Tf 72 %d Td (Line %d of a page of the report.) Tj ET\n" % (700 - i % 50, i)


def _form_bomb(invocations: int, lines: int) -> bytes:
    """One page that draws the same text-heavy form XObject `invocations` times (a few kB)."""
    body = b"".join(_line(j) for j in range(lines))
    form = b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
            b"/Resources << /Font << /F1 3 0 R >> /XObject << /X1 6 0 R >> >> >>",
            _stream(b"/X1 Do\n" * invocations),
            form + b" /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        ]
    )


def _cmap_bomb(entries: int) -> bytes:
    """A font whose ToUnicode map has `entries` entries (pypdf takes at most 100,000)."""
    cmap = b"beginbfchar\n" + b"<0001> <0041>\n" * entries + b"endbfchar\n"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 5 0 R >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>",
            _stream(cmap),
            _stream(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"),
        ]
    )


def inputs() -> dict[str, tuple[str, bytes, dict[str, Any]]]:
    """case -> (file name, bytes, Settings overrides)."""
    page = _stream(b"BT /F1 12 Tf 72 720 Td (Page text.) Tj ET", deflate=False)
    heavy = [_stream(b"".join(_line(j) for j in range(60)) + b"%%%d" % i) for i in range(900)]
    return {
        "pdf_5000_pages": ("pages.pdf", _pages([page] * 5000), {}),
        "pdf_5000_pages_count_lies": ("liar.pdf", _pages([page] * 5000, declared=1), {}),
        "pdf_bomb_120MB_one_stream": ("bomb.pdf", _pages([_bomb(120)]), {}),
        "pdf_bomb_1GB_one_stream": ("bomb1g.pdf", _pages([_bomb(1000)]), {}),
        "pdf_bomb_100_pages_of_1MB": (
            "many.pdf",
            _pages([_stream(b" " * 1_000_000 + b"%%%d" % i) for i in range(100)]),
            {},
        ),
        "pdf_300k_operations_on_a_page": (
            "ops.pdf",
            _pages([_stream(b"".join(_line(j) for j in range(40_000)))]),
            {},
        ),
        "pdf_900_heavy_pages_timeout_5s": ("slow.pdf", _pages(heavy), {"pdf_timeout": 5}),
        "pdf_form_drawn_5000_times_timeout_5s": ("form.pdf", _form_bomb(5000, 200), {"pdf_timeout": 5}),
        "pdf_tounicode_cmap_700k_entries": ("cmap.pdf", _cmap_bomb(700_000), {}),
        "html_200k_elements": ("huge.html", _html("<p>word.</p>" * 200_000), {}),
        "html_100k_levels_deep": ("deep.html", _html("<div>" * 100_000 + "<p>x</p>"), {}),
    }


def _html(body: str) -> bytes:
    return f"<html><head><title>T</title></head><body><article>{body}</article></body></html>".encode()


def child(name: str, path: str, overrides: str) -> None:
    """Parse (or fetch) one input; print seconds, the RSS peak's rise and the outcome."""
    from rag.config import Settings

    settings = Settings.model_construct(**json.loads(overrides))
    data = b"" if name.startswith("http") else Path(path).read_bytes()
    if name.endswith(".pdf"):
        import pypdf  # noqa: F401 - imported before the baseline, as a running app has it
    else:
        import trafilatura  # noqa: F401
    from rag.fetch import fetch_url
    from rag.load import LoadError, load_bytes

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    try:
        if name.startswith("http"):
            outcome = f"accepted: {len(fetch_url(name, float(path), allow_private=True).data):,} bytes"
        else:
            outcome = f"accepted: {len(load_bytes(data, name, max_bytes=10**9, settings=settings).text):,} characters"
    except LoadError as exc:
        outcome = f"refused: {exc}"
    seconds = time.perf_counter() - t0
    rise = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({"seconds": round(seconds, 3), "rss_rise_mb": round(rise, 1), "outcome": outcome[:240]}))


def run_child(name: str, arg: str, overrides: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, arg, json.dumps(overrides)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        env={"PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"},
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1:]}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


class Trickle(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        for _ in range(120):
            try:
                self.wfile.write(b"x")
            except OSError:
                return
            time.sleep(1)


def main() -> None:
    results: dict[str, Any] = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    for deadline in (2.0, 5.0):
        r = run_child(url, str(deadline), {})
        if "seconds" in r:
            r["over_deadline_s"] = round(r["seconds"] - deadline, 3)
        results[f"url_trickle_1_byte_per_s_deadline_{deadline:g}s"] = r
    httpd.shutdown()
    with tempfile.TemporaryDirectory() as tmp:
        for case, (name, data, overrides) in inputs().items():
            path = Path(tmp) / name
            path.write_bytes(data)
            results[case] = {"file_kb": round(len(data) / 1024, 1), **run_child(name, str(path), overrides)}
        for real in sorted(Path("/usr/share/doc").rglob("*.pdf"))[:2]:
            results[f"real_pdf_{real.name}"] = {
                "file_kb": round(real.stat().st_size / 1024, 1),
                **run_child(real.name, str(real), {}),
            }
    print(json.dumps({"machine": machine(), "cases": results}, indent=2))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
