"""The oracle survives hostile clients and keeps serving a well-behaved one meanwhile: slowloris,
oversized heads and bodies, idle connections, an RST/SCT flood beyond max_contexts and malformed
XML at volume, all at once for a few seconds (modest volumes: this is a test, not a load run).
The well-behaved client's latency is measured and printed; the test asserts only that it is served
(docs/design/transport.md, "Hostile peers")."""
import concurrent.futures
import http.client
import socket
import statistics
import threading
import time
from urllib.parse import urlparse

from conftest import parley

CONFIG = """
[limits]
max_contexts = 10
"""


def connect(url):
    u = urlparse(url)
    return socket.create_connection((u.hostname, u.port), timeout=10)


def slowloris(url, stop, n=30):
    """n connections sending a request head one byte every 0.5 s, never finishing it."""
    socks = []
    for _ in range(n):
        s = connect(url)
        s.sendall(b"POST /service HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    cut = 0
    while not stop.is_set():
        for s in list(socks):
            try:
                s.sendall(b"X")
            except OSError:
                socks.remove(s)
                cut += 1
        time.sleep(0.5)
    for s in socks:
        s.close()
    return cut


def idle(url, stop, n=40):
    socks = [connect(url) for _ in range(n)]
    stop.wait()
    for s in socks:
        s.close()
    return n


def oversized(url, stop):
    """Heads over max_header_bytes (16 KiB) get 431, bodies over max_body_bytes (4 MiB) 413."""
    u = urlparse(url)
    statuses = []
    while not stop.is_set():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("POST", "/service", body=b"<x/>", headers={"X-Big": "a" * (64 << 10)})
        statuses.append(c.getresponse().status)
        c.close()
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            c.request("POST", "/service", body=b"<" * (8 << 20), headers={"Content-Type": "application/soap+xml"})
            statuses.append(c.getresponse().status)
        except (BrokenPipeError, ConnectionResetError):
            statuses.append("reset")  # answered 413 and closed while we were still uploading
        c.close()
    return statuses


def malformed(url, stop):
    """Broken XML, a few hundred requests on kept-alive connections."""
    u = urlparse(url)
    bodies = [b"<s:Envelope", b"\x00\xff\xfe garbage", b"<a>" * 500, b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>",
              b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body><unclosed></s:Body></s:Envelope>"]
    statuses = []
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    while not stop.is_set() and len(statuses) < 2000:
        c.request("POST", "/service", body=bodies[len(statuses) % len(bodies)],
                  headers={"Content-Type": "application/soap+xml; charset=utf-8"})
        r = c.getresponse()
        r.read()
        statuses.append(r.status)
    c.close()
    return statuses


def rst_flood(profile, n=30):
    """n issuances that are never cancelled: beyond max_contexts they must be refused."""
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(lambda _: parley("client", "--target", profile, "issue", timeout=60).returncode,
                              range(n)))
    return codes


def test_oracle_keeps_serving_a_well_behaved_client_under_hostile_ones(oracle, tmp_path):
    o = oracle(CONFIG)
    context = tmp_path / "context.json"
    r = parley("client", "--target", o.profile, "--context", context, "issue")
    assert r.returncode == 0, r.stdout + r.stderr

    stop = threading.Event()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        attacks = {
            "slowloris": pool.submit(slowloris, o.url, stop),
            "idle": pool.submit(idle, o.url, stop),
            "oversized": pool.submit(oversized, o.url, stop),
            "malformed": pool.submit(malformed, o.url, stop),
            "rst-flood": pool.submit(rst_flood, o.profile),
        }
        time.sleep(0.5)
        latencies = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline or not attacks["rst-flood"].done():
            t0 = time.monotonic()
            r = parley("client", "--target", o.profile, "--context", context, "call", timeout=60)
            latencies.append(time.monotonic() - t0)
            assert r.returncode == 0, f"the well-behaved client was not served: {r.stdout}{r.stderr}"
        stop.set()
        results = {name: f.result(timeout=60) for name, f in attacks.items()}

    print(f"well-behaved `parley client call` under attack: {len(latencies)} calls, "
          f"median {statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
          "(each a fresh process)")
    oversized_statuses = results["oversized"]
    assert 431 in oversized_statuses and (413 in oversized_statuses or "reset" in oversized_statuses)
    assert set(oversized_statuses) <= {431, 413, "reset"}, set(oversized_statuses)
    malformed_statuses = results["malformed"]
    assert len(malformed_statuses) >= 100
    assert set(malformed_statuses) <= {400, 500}, set(malformed_statuses)  # SOAP faults, never a crash
    codes = results["rst-flood"]
    # max_contexts 10, one held by the well-behaved client: nine more, the rest refused.
    assert codes.count(0) == 9, codes
    print(f"slowloris connections cut: {results['slowloris']}; idle held: {results['idle']}; "
          f"malformed requests answered: {len(malformed_statuses)}; flood issuances refused: "
          f"{len(codes) - codes.count(0)}")

    # Still alive and well after it all.
    r = parley("client", "--target", o.profile, "--context", context, "call", "cancel")
    assert r.returncode == 0, r.stdout + r.stderr
