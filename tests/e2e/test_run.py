"""`parley run` against the real oracle over HTTP, as a release engineer runs it."""
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from conftest import ROOT, parley

SCHEMA = json.load(open(os.path.join(ROOT, "reports", "report.schema.json")))


def run(profile, out, *extra):
    return parley("run", "--target", profile, "--out", out, "--jobs", "2", *extra)


def load_report(out):
    report = json.load(open(out / "report.json"))
    jsonschema.validate(report, SCHEMA)
    return report


# Every reason a case against the oracle may give for NOT_APPLICABLE: anything else is a case
# that could not run for a reason nobody expected.
KNOWN_NOT_APPLICABLE = (
    "the profile disclaims", "SOAP 1.2 has no SOAPAction", "more than --max-wait 10 s",
    "the profile claims cookie_mode", "WCF-06 is about WS-Trust 1.3",
    "destructive case: runs only with --allow-destructive",
    "bootstrap authenticates no requester", "does not claim requires_derived_keys",
    "names no service certificate to wrap a key for", "the profile claims renew: a renewal of a live context",
)


@pytest.mark.parametrize("config", [
    "",
    '[wssc]\nsoap = "1.1"\nsc_version = "feb2005"\naddressing = "2004/08"\n',
    '[wssc]\nbootstrap = "username-token"\nentropy = "server"\n[users]\nalice = "wonderland"\n',
    '[wssc]\nbootstrap = "preshared-sct"\n[preshared]\nidentifier = "urn:uuid:00000000-0000-4000-8000-0000000000bb"\n'
    'key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"\n',
    '[cookie]\nenabled = true\nkeys = ["current ' + "ab" * 32 + '", "previous ' + "cd" * 32 + '"]\n',
], ids=["default", "feb2005-soap11", "username-token", "preshared-sct", "cookie-mode"])
def test_oracle_passes_every_applicable_case(oracle, tmp_path, config):
    o = oracle(config)
    out = tmp_path / "report"
    r = run(o.profile, out)
    assert r.returncode == 0, r.stdout + r.stderr
    report = load_report(out)
    for case in report["cases"]:
        assert case["verdict"] in ("PASS", "NOT_APPLICABLE", "INFO"), case["id"] + ": " + case["reason"]
        if case["verdict"] == "NOT_APPLICABLE":
            assert any(known in case["reason"] for known in KNOWN_NOT_APPLICABLE), case["id"] + ": " + case["reason"]
    assert report["summary"]["by_verdict"]["PASS"] >= 1
    assert report["summary"]["exit_code"] == 0
    junit = ET.parse(out / "junit.xml").getroot()
    assert int(junit.get("failures")) == 0 and int(junit.get("errors")) == 0
    assert int(junit.get("tests")) == len(report["cases"])


@pytest.mark.parametrize("bootstrap", ["x509-mutual", "anonymous-for-certificate", "username-for-certificate"])
def test_oracle_passes_every_applicable_case_with_certificate_bootstraps(oracle, tmp_path, bootstrap):
    pki = tmp_path / "pki"
    subprocess.run([f"{ROOT}/scripts/gen-certs", str(pki)], check=True, capture_output=True)
    o = oracle(f'[wssc]\nbootstrap = "{bootstrap}"\n[users]\nalice = "wonderland"\n'
               f'[message_security]\ncertificate = "{pki}/server.pem"\nprivate_key = "{pki}/server.key"\n'
               f'trusted_ca = "{pki}/ca.pem"\n')
    profile = tmp_path / "profile.toml"
    profile.write_text(o.profile.read_text().replace(
        "[credentials]\n", f'[credentials]\nclient_certificate_file = "{pki}/client.pem"\n'
                            f'client_key_file = "{pki}/client.key"\n'))
    out = tmp_path / "report"
    r = run(profile, out)
    assert r.returncode == 0, r.stdout + r.stderr
    report = load_report(out)
    for case in report["cases"]:
        assert case["verdict"] in ("PASS", "NOT_APPLICABLE", "INFO"), case["id"] + ": " + case["reason"]
    assert report["summary"]["by_verdict"]["PASS"] >= 15
    assert report["summary"]["by_verdict"].get("FAIL", 0) == 0
    assert report["summary"]["by_verdict"].get("ERROR", 0) == 0


def test_every_case_carries_evidence_and_a_replay_command(oracle, tmp_path):
    o = oracle("")
    out = tmp_path / "report"
    assert run(o.profile, out).returncode == 0
    report = load_report(out)
    negative = next(c for c in report["cases"] if c["id"] == "wssc/08/unknown-identifier")
    labels = [x["label"] for x in negative["evidence"]["exchanges"]]
    assert labels.count("control") == 2 and "mutant" in labels  # control, mutant, control
    mutant = next(x for x in negative["evidence"]["exchanges"] if x["label"] == "mutant")
    assert "BadContextToken" in mutant["response"]["body"]
    assert negative["replay"].startswith("parley run --target ") and "wssc/08/unknown-identifier" in negative["replay"]
    # Re-running one case alone with the replay's filter gives the same verdict.
    r = run(o.profile, tmp_path / "one", "--filter", "wssc/08/unknown-identifier")
    assert r.returncode == 0
    assert [c["verdict"] for c in load_report(tmp_path / "one")["cases"]] == ["PASS"]


def test_redact_masks_keys_and_passwords(oracle, tmp_path):
    o = oracle('[wssc]\nbootstrap = "username-token"\n[users]\nalice = "wonderland"\n')
    out = tmp_path / "report"
    assert run(o.profile, out, "--redact").returncode == 0
    text = (out / "report.json").read_text()
    assert "wonderland" not in text
    report = load_report(out)
    keys = [k for c in report["cases"] for k in c["evidence"]["keys"]]
    assert keys and all(k["key"] == "[redacted]" for k in keys)


def test_baseline_rules(oracle, tmp_path):
    o = oracle("")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"schema": "parley-baseline/1", "entries": [
        {"case": "wssc/03/context-echoed", "verdict": "FAIL", "reason": "vendor ticket 42"}]}))
    r = run(o.profile, tmp_path / "a", "--baseline", baseline)
    assert r.returncode == 1  # an unexpected pass fails the run
    assert "(unexpected)" in r.stdout
    baseline.write_text(json.dumps({"schema": "parley-baseline/1", "entries": [
        {"case": "wssc/99/gone", "verdict": "FAIL", "reason": "old"}]}))
    r = run(o.profile, tmp_path / "b", "--baseline", baseline)
    assert r.returncode == 2 and "does not exist" in r.stderr


def test_unreachable_target_exits_3_and_bad_usage_exits_2(tmp_path):
    p = tmp_path / "nowhere.toml"
    p.write_text('[wssc]\nservice_url = "http://127.0.0.1:9/service"\n')
    r = run(p, tmp_path / "out")
    assert r.returncode == 3
    assert "could not be reached" in r.stderr
    r = run(p, tmp_path / "out", "--filter", "no/such/*")
    assert r.returncode == 2


def test_list_and_explain():
    r = parley("list", "--requirements", "--format", "json")
    assert r.returncode == 0
    reqs = json.loads(r.stdout)
    by_id = {x["id"]: x for x in reqs}
    assert "wssc/02/sct-shape" in by_id["SC-2-01"]["cases"]
    assert any(not x["cases"] for x in reqs)  # untested requirements are listed, not hidden
    r = parley("explain", "wssc/03/key-size")
    assert r.returncode == 0 and "SC-3-09" in r.stdout and "Typical causes" in r.stdout
    assert parley("explain", "nope").returncode == 2


def test_time_bound_case_waits_within_max_wait(oracle, tmp_path):
    """With a 2-second key lifetime the expiry case waits for it and sees wsc:RenewNeeded."""
    o = oracle("[limits]\nkey_lifetime_seconds = 2\n")
    out = tmp_path / "report"
    r = run(o.profile, out, "--filter", "wssc/03/lifetime-enforced", "--max-wait", "10")
    assert r.returncode == 0, r.stdout + r.stderr
    (case,) = load_report(out)["cases"]
    assert case["verdict"] == "PASS", case["reason"]
    assert "RenewNeeded" in case["reason"]
    assert any(n.startswith("waited ") for n in case["evidence"]["notes"])
    labels = [x["label"] for x in case["evidence"]["exchanges"]]
    assert labels[-2:] == ["control (before Expires)", "after Expires"]
    # With --max-wait 0 the same case says how long it would have needed.
    r = run(o.profile, tmp_path / "nowait", "--filter", "wssc/03/lifetime-enforced", "--max-wait", "0")
    (case,) = load_report(tmp_path / "nowait")["cases"]
    assert case["verdict"] == "NOT_APPLICABLE"
    assert "more than --max-wait 0 s" in case["reason"]


def test_case_timeout_bounds_each_case(oracle, tmp_path):
    o = oracle("[limits]\nkey_lifetime_seconds = 30\n")
    out = tmp_path / "report"
    r = run(o.profile, out, "--filter", "wssc/03/lifetime-enforced", "--max-wait", "60", "--case-timeout", "3")
    assert r.returncode == 1
    (case,) = load_report(out)["cases"]
    assert case["verdict"] == "NOT_APPLICABLE", case["reason"]
    assert "budget" in case["reason"] and "--case-timeout" in case["reason"]


def test_destructive_cases_against_a_live_oracle(oracle, tmp_path):
    """The flood and the hostile documents go over HTTP to a real `parley serve`: both PASS, and
    the oracle still issues and serves afterwards."""
    o = oracle('[limits]\nmax_contexts = 20\n')
    profile = open(o.profile).read()
    assert "max_pending_sessions = 20" in profile
    out = tmp_path / "destructive"
    r = run(o.profile, out, "--allow-destructive", "--filter", "wssc/10/context-exhaustion",
            "--filter", "wssc/10/hostile-xml")
    assert r.returncode == 0, r.stdout + r.stderr
    cases = {c["id"]: c for c in load_report(out)["cases"]}
    assert set(cases) == {"wssc/10/context-exhaustion", "wssc/10/hostile-xml"}
    assert cases["wssc/10/context-exhaustion"]["verdict"] == "PASS", cases["wssc/10/context-exhaustion"]["reason"]
    # The store holds 20 contexts in all; contexts opened before the flood (the fixture's
    # readiness check) count too, so the refusal comes at 20 or a little before.
    granted = int(re.search(r"after (\d+) open contexts", cases["wssc/10/context-exhaustion"]["reason"]).group(1))
    assert 15 <= granted <= 20
    assert cases["wssc/10/hostile-xml"]["verdict"] == "PASS", cases["wssc/10/hostile-xml"]["reason"]
    for what in ("entity expansion", "external entity", "nested elements", "1 MiB attribute", "truncated"):
        assert what in cases["wssc/10/hostile-xml"]["reason"]
    # The flood's contexts were cancelled: the store (full during the flood) has room again.
    after = tmp_path / "after"
    r = run(o.profile, after, "--filter", "wssc/03/proof-key-works", "--filter", "wssc/10/replay")
    assert r.returncode == 0, r.stdout + r.stderr
    assert {c["verdict"] for c in load_report(after)["cases"]} == {"PASS"}
