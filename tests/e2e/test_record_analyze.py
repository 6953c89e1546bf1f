"""`parley record`, `parley import` and `parley analyze` end to end: a live `parley client` <->
`parley serve` session recorded through the proxy and analyzed, the committed recordings, the
tampered set (each tamper flagged by its named case), and the HAR and svclog samples."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import PARLEY, ROOT, parley

RECORDINGS = os.path.join(ROOT, "vectors", "recordings")


class Recorder:
    def __init__(self, tmp_path, upstream, out):
        self.log_path = tmp_path / "record.log"
        self.proc = subprocess.Popen([PARLEY, "record", "--listen", "127.0.0.1:0", "--upstream", upstream,
                                      "--out", str(out)], stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        self.url = None
        while time.monotonic() < deadline and self.url is None:
            m = re.search(r"listening on (http://[0-9.:]+)", self.log_path.read_text())
            if m:
                self.url = m.group(1)
            elif self.proc.poll() is not None:
                raise RuntimeError("parley record exited:\n" + self.log_path.read_text())
            else:
                time.sleep(0.05)
        assert self.url, self.log_path.read_text()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=10) == 0, self.log_path.read_text()
        return self.log_path.read_text()


def verdicts(report_dir):
    report = json.loads((report_dir / "report.json").read_text() if hasattr(report_dir, "read_text")
                        else open(os.path.join(report_dir, "report.json")).read())
    return {c["id"]: c for c in report["cases"]}


def capture_records(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def test_a_recorded_live_session_analyzes_without_failure(oracle, tmp_path):
    o = oracle()
    capture = tmp_path / "live.jsonl"
    rec = Recorder(tmp_path, o.url, capture)
    try:
        profile = o.profile.read_text().replace(o.url.rstrip("/"), rec.url.rstrip("/"))
        (tmp_path / "proxied.toml").write_text(profile)
        r = parley("client", "--target", tmp_path / "proxied.toml", "issue", "call", "renew", "call", "cancel")
        assert r.returncode == 0, r.stdout + r.stderr
    finally:
        log = rec.stop()
    assert "5 exchange(s) recorded" in log
    records = capture_records(capture)
    assert records[0]["type"] == "header" and records[0]["format"] == "parley-capture/1"
    assert records[0]["server"] == o.url.rstrip("/")
    messages = records[1:]
    assert [m["direction"] for m in messages] == ["request", "response"] * 5
    assert all(m["start"].startswith("POST /") for m in messages[0::2])
    assert all(m["start"] == "HTTP/1.1 200 OK" for m in messages[1::2])

    out = tmp_path / "report"
    r = parley("analyze", capture, "--out", out)
    assert r.returncode == 0, r.stdout + r.stderr
    cases = verdicts(out)
    assert not [c for c in cases.values() if c["verdict"] in ("FAIL", "ERROR", "WARN")], r.stdout
    for case in ("passive/wss/security-header", "passive/wssc/action-version", "passive/wssc/rstrc-wrapping",
                 "passive/wssc/sct", "passive/wssc/references", "passive/wssc/dkt-fields", "passive/wssc/dkt-nonce",
                 "passive/wss/timestamp", "passive/wss/timestamp-freshness", "passive/wssc/signature-coverage",
                 "passive/wssc/signature-verify"):
        assert cases[case]["verdict"] == "PASS", (case, cases[case]["reason"])
    # bootstrap none: the issuance's key material is in the clear, so the analyzer derives the keys.
    assert "2 key(s) learned" in cases["passive/wssc/signature-verify"]["reason"]
    assert cases["passive/wif/cookie-attributes"]["verdict"] == "NOT_APPLICABLE"
    assert (out / "junit.xml").exists() and (out / "index.html").exists()
    inputs = json.loads((out / "inputs.json").read_text())
    assert inputs[0]["exchanges"] == 5 and inputs[0]["kind"] == "record"


@pytest.mark.parametrize("mode", sorted(f[:-6] for f in os.listdir(os.path.join(RECORDINGS, "oracle"))))
def test_committed_oracle_recordings_analyze_clean(mode, tmp_path):
    r = parley("analyze", os.path.join(RECORDINGS, "oracle", mode + ".jsonl"), "--out", tmp_path / "r")
    assert r.returncode == 0, r.stdout + r.stderr
    cases = verdicts(tmp_path / "r")
    bad = {i: c["reason"] for i, c in cases.items() if c["verdict"] not in ("PASS", "NOT_APPLICABLE", "INFO")}
    assert not bad
    assert cases["passive/wssc/signature-verify"]["verdict"] == "PASS", cases["passive/wssc/signature-verify"]
    assert cases["passive/wssc/action-version"]["verdict"] == "PASS"


TAMPERS = [json.loads(line) for line in open(os.path.join(RECORDINGS, "tampered", "manifest.jsonl"))]


@pytest.mark.parametrize("tamper", TAMPERS, ids=[t["file"] for t in TAMPERS])
def test_every_tamper_is_flagged_by_its_named_case(tamper, tmp_path):
    r = parley("analyze", os.path.join(RECORDINGS, "tampered", tamper["file"]), "--out", tmp_path / "r")
    assert r.returncode in (0, 1), r.stdout + r.stderr
    case = verdicts(tmp_path / "r")[tamper["case"]]
    assert case["verdict"] == tamper["verdict"], (tamper, case["reason"])
    # The verdict names the exchange and the element.
    assert re.search(r"exchange \d+ (request|response)", case["reason"]), case["reason"]
    if tamper["verdict"] == "FAIL":
        assert r.returncode == 1


def test_the_har_sample_imports_and_its_cookie_checks_pass(tmp_path):
    har = os.path.join(RECORDINGS, "har", "wif-sign-in.har")
    r = parley("import", har, "--out", tmp_path / "har.jsonl")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "10 message(s) imported" in r.stdout
    records = capture_records(tmp_path / "har.jsonl")
    assert records[0]["origin"] == "har"
    assert records[5]["start"] == "POST /app/ HTTP/1.1"
    assert records[6]["start"] == "HTTP/1.1 302"
    assert [v for k, v in records[6]["headers"] if k == "Set-Cookie"][0].startswith("FedAuth=")
    r = parley("analyze", har, "--out", tmp_path / "r")
    assert r.returncode == 0, r.stdout + r.stderr
    cases = verdicts(tmp_path / "r")
    for case in ("passive/wif/cookie-attributes", "passive/wif/cookie-path", "passive/wif/cookie-chunking",
                 "passive/wif/sign-out"):
        assert cases[case]["verdict"] == "PASS", (case, cases[case]["reason"])


def test_a_sanitized_har_makes_cookie_checks_not_applicable_and_says_why(tmp_path):
    har = json.load(open(os.path.join(RECORDINGS, "har", "wif-sign-in.har")))
    for e in har["log"]["entries"]:
        for side in ("request", "response"):
            e[side]["headers"] = [h for h in e[side]["headers"] if h["name"].lower() not in ("cookie", "set-cookie")]
            e[side]["cookies"] = []
    path = tmp_path / "sanitized.har"
    path.write_text(json.dumps(har))
    r = parley("analyze", path, "--out", tmp_path / "r")
    assert "cookies stripped" in r.stdout
    cases = verdicts(tmp_path / "r")
    for case in ("passive/wif/cookie-attributes", "passive/wif/cookie-path", "passive/wif/cookie-chunking"):
        assert cases[case]["verdict"] == "NOT_APPLICABLE"
        assert "stripped" in cases[case]["reason"], cases[case]["reason"]


def test_the_svclog_sample_imports_and_service_level_signatures_are_not_applicable(tmp_path):
    log = os.path.join(RECORDINGS, "svclog", "wcf-sample.svclog")
    r = parley("import", log, "--out", tmp_path / "log.jsonl")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "4 message(s) imported" in r.stdout
    records = capture_records(tmp_path / "log.jsonl")
    assert [m.get("level", "transport") for m in records[1:]] == ["transport", "transport", "service", "service"]
    r = parley("analyze", log, "--out", tmp_path / "r")
    assert r.returncode == 0, r.stdout + r.stderr
    cases = verdicts(tmp_path / "r")
    verify = cases["passive/wssc/signature-verify"]
    assert verify["verdict"] == "NOT_APPLICABLE" and "service level" in verify["reason"], verify
    assert cases["passive/wssc/rstrc-wrapping"]["verdict"] == "PASS"
    assert not [c for c in cases.values() if c["verdict"] == "FAIL"]


def test_malformed_inputs_are_named_and_the_rest_is_analyzed(tmp_path):
    src = os.path.join(RECORDINGS, "oracle", "default.jsonl")
    lines = open(src).read().splitlines()
    lines.insert(3, "{broken")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    r = parley("analyze", bad, "--out", tmp_path / "r")
    assert "rejected:" in r.stdout and "line 4" in r.stdout, r.stdout
    inputs = json.loads((tmp_path / "r" / "inputs.json").read_text())
    assert len(inputs[0]["errors"]) == 1
    r = parley("analyze", tmp_path / "missing.jsonl", "--out", tmp_path / "r2")
    assert r.returncode == 2
