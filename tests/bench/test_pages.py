"""bench/pages.py reads wrk's figures from the lines bench/wrk_report.lua prints, and judges each page
against twice the larger of its SQL and the trivial page. No database: the national run is the bench's."""

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.pages import WRK_LUA, BenchError, parse_wrk, target_ms, verdict

WRK_OUTPUT = """Running 15s test @ http://127.0.0.1:8000/akun/profil/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    81.20ms   10.11ms 160.00ms   70.00%
  Latency Distribution
     50%   80.00ms
     99%  120.00ms
  2950 requests in 15.00s, 20.1MB read
Requests/sec:    196.66
BENCH requests=2950
BENCH duration_us=15000000
BENCH errors=3
BENCH p50_us=80000
BENCH p95_us=101500
BENCH p99_us=120000
"""


def test_wrk_figures_are_read_from_the_lua_lines():
    figures = parse_wrk(WRK_OUTPUT)

    assert figures["p95_us"] == 101500
    assert figures["errors"] == 3
    assert figures["rps"] == pytest.approx(196.67, abs=0.01)


def test_wrk_output_without_the_lua_lines_is_an_error():
    with pytest.raises(BenchError, match=r"wrk_report\.lua"):
        parse_wrk(WRK_OUTPUT.split("BENCH")[0])


def test_target_is_twice_the_slower_of_sql_and_trivial_page():
    assert target_ms(sql_ms=120, trivial_ms=15) == 240
    assert target_ms(sql_ms=3, trivial_ms=15) == 30
    assert target_ms(sql_ms=None, trivial_ms=15) == 30
    assert verdict(240, 240) == "yes"
    assert verdict(241, 240) == "no"
    assert verdict(None, 240) == "-"


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_the_lua_script_prints_what_the_parser_reads():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        done = subprocess.run(
            ["wrk", "-t1", "-c1", "-d1s", "-s", str(WRK_LUA), url], capture_output=True, text=True, timeout=30
        )
    finally:
        server.shutdown()

    figures = parse_wrk(done.stdout)
    assert figures["requests"] > 0
    assert 0 < figures["p50_us"] <= figures["p95_us"] <= figures["p99_us"]
