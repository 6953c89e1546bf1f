"""`parley load` against the real oracle on loopback: sessions, protected echo traffic, latency
percentiles, the target's RSS, and the limit checks under load, which must FAIL against an oracle
with the matching fault (docs/load.md)."""
import json
import signal
import subprocess
import time

from conftest import PARLEY, parley

# A bound just above the load's sessions keeps the pending-session flood short.
SMALL_LIMIT = "[limits]\nmax_contexts = 48\n"


def run_load(o, out, *extra, sessions=40, concurrency=4, duration=2):
    r = parley("load", "--target", o.profile, "--sessions", sessions, "--concurrency", concurrency,
               "--duration", duration, "--timeout", 10, "--out", out, *extra, timeout=60)
    print(r.stdout, r.stderr)
    report = json.loads((out / "load.json").read_text())
    return r, report


def checks(report):
    return {c["id"]: c for c in report["checks"]}


def test_clean_oracle_load(oracle, tmp_path):
    o = oracle(SMALL_LIMIT)
    r, report = run_load(o, tmp_path / "out", "--target-pid", o.proc.pid)
    assert r.returncode == 0
    assert report["format"] == "parley-load/1"
    assert report["exit_code"] == 0 and report["interrupted"] is False
    est = report["establishment"]
    assert est["requested"] == est["established"] == 40
    assert est["failed"] == 0 and est["errors"]["total"] == 0
    assert est["rate_per_second"] > 0
    t = report["traffic"]
    assert t["requests"] > 0 and t["ok"] == t["requests"]
    assert t["errors"]["total"] == 0
    assert t["errors"]["by_kind"] == {"transport": 0, "soap_fault": 0, "verification": 0, "protocol": 0}
    assert 1.9 < t["elapsed_seconds"] < 10
    assert abs(t["throughput_rps"] - t["requests"] / t["elapsed_seconds"]) < 1e-6
    lat = t["latency_us"]
    assert lat["count"] == t["requests"]
    assert 0 < lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"]
    assert t["client_cpu_seconds"] > 0 and t["target_cpu_seconds"] > 0
    mem = report["memory"]
    assert mem["pid"] == o.proc.pid
    for key in ("rss_before_bytes", "rss_established_bytes", "rss_end_bytes"):
        assert mem[key] > 1 << 20, key  # a real process's VmRSS, in bytes
    assert mem["bytes_per_session"] == (mem["rss_established_bytes"] - mem["rss_before_bytes"]) / 40
    c = checks(report)
    assert [x["verdict"] for x in report["checks"]] == ["PASS", "PASS", "PASS"], report["checks"]
    assert c["replay"]["requirements"] == ["WSS-13-01", "SC-3-16"]
    assert c["pending-sessions"]["requirements"] == ["SC-10-04"]
    # 40 from the load plus 8 more reach the bound of 48; the 49th is refused.
    assert "after 48 open contexts" in c["pending-sessions"]["reason"], c["pending-sessions"]
    assert f"all {t['ok']} success answers verified" in c["response-verification"]["reason"]
    # Everything opened (the load's 40 and the flood's 8) was cancelled at the end.
    assert report["cleanup"] == {"cancelled": 48, "cancel_failed": 0}
    assert "PASS  replay" in r.stdout and "req/s" in r.stdout


def test_replay_check_fails_without_replay_detection(oracle, tmp_path):
    o = oracle(SMALL_LIMIT, name="noreplay", args=["--fault", "skip-replay-detection"])
    r, report = run_load(o, tmp_path / "out", sessions=10, concurrency=2, duration=1)
    assert r.returncode == 1
    c = checks(report)
    assert c["replay"]["verdict"] == "FAIL"
    assert "processed again" in c["replay"]["reason"]
    assert c["pending-sessions"]["verdict"] == "PASS"
    assert report["traffic"]["errors"]["total"] == 0


def test_pending_check_fails_without_a_bound(oracle, tmp_path):
    o = oracle(SMALL_LIMIT, name="unbounded", args=["--fault", "unbounded-pending-sessions"])
    r, report = run_load(o, tmp_path / "out", sessions=10, concurrency=2, duration=1)
    assert r.returncode == 1
    c = checks(report)
    assert c["pending-sessions"]["verdict"] == "FAIL"
    # 10 from the load plus 48 - 10 + 8 more: all granted.
    assert "never refused: 56 open contexts" in c["pending-sessions"]["reason"], c["pending-sessions"]
    assert c["replay"]["verdict"] == "PASS"


def test_checks_that_cannot_run_are_not_applicable(oracle, tmp_path):
    o = oracle(SMALL_LIMIT)
    profile = o.profile.read_text().replace("replay_detection = true", "replay_detection = false")
    profile = profile.replace("max_pending_sessions = 48\n", "")
    edited = tmp_path / "edited.toml"
    edited.write_text(profile)
    r = parley("load", "--target", edited, "--sessions", 4, "--concurrency", 2, "--duration", 0.5,
               "--out", tmp_path / "out", timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    c = checks(json.loads((tmp_path / "out" / "load.json").read_text()))
    assert c["replay"]["verdict"] == "NOT_APPLICABLE"
    assert "does not claim replay_detection" in c["replay"]["reason"]
    assert c["pending-sessions"]["verdict"] == "NOT_APPLICABLE"
    assert "no [limits] max_pending_sessions" in c["pending-sessions"]["reason"]
    assert c["response-verification"]["verdict"] == "PASS"


def test_sigint_writes_a_partial_result(oracle, tmp_path):
    o = oracle(SMALL_LIMIT)
    out = tmp_path / "out"
    proc = subprocess.Popen([PARLEY, "load", "--target", str(o.profile), "--sessions", "8", "--concurrency", "2",
                             "--duration", "60", "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 3, stdout + stderr
    report = json.loads((out / "load.json").read_text())
    assert report["interrupted"] is True and report["exit_code"] == 3
    assert report["traffic"]["requests"] > 0
    assert report["traffic"]["elapsed_seconds"] < 20
    c = checks(report)
    assert c["pending-sessions"]["verdict"] == "NOT_APPLICABLE"
    assert "interrupted" in c["pending-sessions"]["reason"]
    assert "interrupted" in stdout


def test_usage_and_unreachable(tmp_path, oracle):
    o = oracle(SMALL_LIMIT)
    r = parley("load", "--target", o.profile, "--concurrency", 0, "--out", tmp_path / "a")
    assert r.returncode == 2 and "--concurrency must be 1..1024" in r.stderr
    r = parley("load", "--target", tmp_path / "missing.toml")
    assert r.returncode == 2
    # A port nothing listens on: exit 3 and a load.json that says why.
    dead = tmp_path / "dead.toml"
    dead.write_text(o.profile.read_text().replace(o.url.rstrip("/"), "http://127.0.0.1:9"))
    r = parley("load", "--target", dead, "--sessions", 2, "--duration", 1, "--out", tmp_path / "b", timeout=60)
    assert r.returncode == 3, r.stdout + r.stderr
    report = json.loads((tmp_path / "b" / "load.json").read_text())
    assert report["target"]["reachable"] is False and report["exit_code"] == 3
