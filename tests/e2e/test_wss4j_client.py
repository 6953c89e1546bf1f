"""The client suite against a client built on Apache WSS4J 1.6 (interop/wss4j/Wss4jClient.java,
`scripts/wss4j client`), gated by interop/wss4j/client-baseline.json: each known non-PASS is
listed with its reason, and anything else turns the run red. The full run uses --listen (one JVM
polls every scenario); --exec (one JVM per scenario) is exercised on a few cases."""
import json
import os
import re
import subprocess
import time

from conftest import PARLEY, ROOT, parley

PROFILE = os.path.join(ROOT, "interop", "wss4j", "client.toml")
BASELINE = os.path.join(ROOT, "interop", "wss4j", "client-baseline.json")
WSS4J = os.path.join(ROOT, "scripts", "wss4j")


def client_env():
    env = dict(os.environ)
    env.setdefault("PARLEY_BUILD_DIR", os.path.dirname(os.path.dirname(PARLEY)))
    return env


def run_listening(tmp_path, *extra, profile=PROFILE):
    """`parley run --suite wssc-client --listen` with the WSS4J client polling it; returns the
    run's CompletedProcess-like result, the client's, and the report (None if none was written)."""
    out = tmp_path / "report"
    run = subprocess.Popen([PARLEY, "run", "--suite", "wssc-client", "--target", str(profile),
                            "--listen", "127.0.0.1:0", "--out", str(out), "--no-progress", *extra],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and url is None:
            line = run.stderr.readline()
            if not line and run.poll() is not None:
                break
            m = re.search(r"listening on (\S+?):? start", line)
            if m:
                url = m.group(1)
        assert url, "parley run --listen printed no URL"
        # The first use compiles the shim (javac): allow for it.
        client = subprocess.run([WSS4J, "client", "--poll", url], capture_output=True, text=True, timeout=300,
                                env=client_env())
        stdout, stderr = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    run_result = subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr)
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else None
    return run_result, client, report


def verdicts(report):
    return {c["id"]: c for c in report["cases"]}


def test_wss4j_client_matches_its_baseline(tmp_path):
    r, client, report = run_listening(tmp_path, "--baseline", BASELINE)
    assert r.returncode == 0, r.stdout + r.stderr + client.stdout + client.stderr
    assert client.returncode == 0, client.stdout + client.stderr
    cases = verdicts(report)
    assert len(cases) >= 40
    baseline = json.load(open(BASELINE))["entries"]
    listed = {e["case"] for e in baseline}
    # Every listed deviation is still there, with its verdict and a real reason.
    for entry in baseline:
        assert cases[entry["case"]]["verdict"] == entry["verdict"], entry["case"]
        assert entry["reason"] and "TODO" not in entry["reason"], entry["case"]
    # Everything else passes: nothing errors, no unlisted failure.
    for cid, c in cases.items():
        if cid not in listed:
            assert c["verdict"] == "PASS", f"{cid}: {c['verdict']} {c['reason']}"
    # Concrete verdicts: the lifecycle, WSS4J's derived keys and its refusals.
    for cid in ["wssc-client/03/rst-action", "wssc-client/03/proof-key-combined",
                "wssc-client/03/proof-key-server-entropy", "wssc-client/03/proof-key-client-entropy",
                "wssc-client/02/cookie-echoed", "wssc-client/05/retry-new-instance",
                "wssc-client/06/cancel-on-close", "wssc-client/06/must-not-send-cancel",
                "wssc-client/07/separate-keys", "wssc-client/11/encrypted-data-reference",
                "wssc-client/10/hostile-response-wrong-key", "wssc-client/10/hostile-response-replayed",
                "wssc-client/10/hostile-response-body-not-covered", "wssc-client/10/hostile-renew-forged"]:
        assert cases[cid]["verdict"] == "PASS", f"{cid}: {cases[cid]['verdict']} {cases[cid]['reason']}"
    assert cases["wssc-client/10/hostile-key-size-tiny"]["verdict"] == "FAIL"
    assert "under the context it conveyed" in cases["wssc-client/10/hostile-key-size-tiny"]["reason"]
    assert cases["wssc-client/04/amend-request"]["verdict"] == "NOT_APPLICABLE"
    # The refusals are WSS4J's own: its replay cache and its signature check.
    assert "A replay attack has been detected" in client.stdout
    assert "FailedCheck" in client.stdout
    assert "scenario hostile/renew-tampered" in client.stdout


def test_a_client_baseline_missing_a_deviation_fails_the_run(tmp_path):
    """The gate works: drop one entry and the same cases exit 1, naming the case."""
    entries = json.load(open(BASELINE))["entries"]
    trimmed = tmp_path / "trimmed.json"
    trimmed.write_text(json.dumps({"schema": "parley-baseline/1",
                                   "entries": [e for e in entries
                                               if e["case"] != "wssc-client/10/hostile-key-size-tiny"]}))
    r, client, report = run_listening(tmp_path, "--filter", "wssc-client/10/hostile-key-size-*",
                                      "--baseline", trimmed)
    assert client.returncode == 0, client.stdout + client.stderr
    assert r.returncode == 1, r.stdout + r.stderr
    assert "wssc-client/10/hostile-key-size-tiny" in r.stdout
    cases = verdicts(report)
    assert cases["wssc-client/10/hostile-key-size-tiny"]["verdict"] == "FAIL"
    assert cases["wssc-client/10/hostile-key-size-huge"]["verdict"] == "FAIL"  # still listed: not counted


def test_wss4j_client_under_exec(tmp_path):
    """--exec: one `scripts/wss4j client` per scenario, PARLEY_* in its environment, exit codes
    read: 0 for the lifecycle, 2 (NOT_APPLICABLE) for amend, which it cannot do."""
    out = tmp_path / "report"
    env = client_env()
    command = f"PARLEY_BUILD_DIR='{env['PARLEY_BUILD_DIR']}' '{WSS4J}' client"
    r = parley("run", "--suite", "wssc-client", "--target", PROFILE, "--exec", command, "--out", out,
               "--no-progress", "--filter", "wssc-client/05/renew-*", "--filter", "wssc-client/04/must-not-send-amend",
               "--baseline", BASELINE, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    cases = verdicts(json.loads((out / "report.json").read_text()))
    assert cases["wssc-client/05/renew-request"]["verdict"] == "PASS", cases["wssc-client/05/renew-request"]["reason"]
    assert cases["wssc-client/05/renew-proves-possession"]["verdict"] == "PASS"
    amend = cases["wssc-client/04/must-not-send-amend"]
    assert amend["verdict"] == "NOT_APPLICABLE" and "exit 2" in amend["reason"], amend["reason"]
