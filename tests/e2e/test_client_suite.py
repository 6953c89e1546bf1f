"""`parley run --suite wssc-client`: the real binary plays the service, `parley client --harness`
is the client under test (--exec and --listen), clean and with an injected client fault."""
import json
import os
import re
import subprocess
import time

import pytest

from conftest import PARLEY, ROOT, parley

PROFILE = """[target]
name = "parley reference client"
kind = "wssc-client"
[wssc]
soap = "{soap}"
addressing = "{addressing}"
sc_version = "{sc}"
bootstrap = "{bootstrap}"
protection = "derived-keys"
algorithm_suite = "Basic256"
[credentials]
username = "alice"
password = "wonderland"
[capabilities]
renew = true
cancel = true
amend = true
encryption = true
"""


def profile(tmp_path, sc="1.3", soap="1.2", bootstrap="none"):
    addressing = "2004/08" if sc == "feb2005" else "1.0"
    path = tmp_path / "client.toml"
    path.write_text(PROFILE.format(sc=sc, soap=soap, addressing=addressing, bootstrap=bootstrap))
    return path


def run_suite(tmp_path, client_command, *extra, name="report"):
    out = tmp_path / name
    r = parley("run", "--suite", "wssc-client", "--target", profile(tmp_path), "--exec", client_command,
               "--out", out, "--no-progress", *extra)
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else None
    return r, report


def verdicts(report):
    return {c["id"]: c for c in report["cases"]}


@pytest.mark.parametrize("sc,soap,bootstrap", [("1.3", "1.2", "none"), ("feb2005", "1.1", "none"),
                                               ("1.3", "1.1", "username-token")])
def test_reference_client_passes_the_client_suite(tmp_path, sc, soap, bootstrap):
    out = tmp_path / "report"
    r = parley("run", "--suite", "wssc-client", "--target", profile(tmp_path, sc, soap, bootstrap),
               "--exec", f"{PARLEY} client --harness", "--out", out, "--no-progress")
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["suite"] == "wssc-client"
    assert report["target"]["kind"] == "wssc-client"
    cases = verdicts(report)
    assert len(cases) >= 30
    for cid, c in cases.items():
        assert c["verdict"] == "PASS", f"{cid}: {c['verdict']} {c['reason']}"
        assert c["role"] == "CLI"
        assert c["requirements"], cid
    # The evidence is what the client sent, labelled by scenario.
    hostile = cases["wssc-client/10/hostile-response-replayed"]
    labels = [e["label"] for e in hostile["evidence"]["exchanges"]]
    assert any("hostile/response-replayed" in l and "(hostile answer)" in l for l in labels), labels
    assert "--suite wssc-client --exec" in hostile["replay"]
    assert report["summary"]["by_verdict"]["PASS"] == len(cases)


def test_a_client_fault_turns_its_cases_red(tmp_path):
    r, report = run_suite(tmp_path, f"{PARLEY} client --harness --fault skip-rstr-verification")
    assert r.returncode == 1, r.stdout + r.stderr
    cases = verdicts(report)
    red = sorted(cid for cid, c in cases.items() if c["verdict"] != "PASS")
    assert red == ["wssc-client/10/hostile-renew-forged", "wssc-client/10/hostile-renew-tampered"], red
    for cid in red:
        assert cases[cid]["verdict"] == "FAIL"
        assert "WSS-8-01" in [q["id"] for q in cases[cid]["requirements"]]
        assert "under the context it conveyed" in cases[cid]["reason"], cases[cid]["reason"]


def test_a_should_level_fault_is_reported_as_warn(tmp_path):
    r, report = run_suite(tmp_path, f"{PARLEY} client --harness --fault accept-replayed-response",
                          "--filter", "wssc-client/10/hostile-response-*", "--strict")
    assert r.returncode == 1, r.stdout + r.stderr
    replayed = verdicts(report)["wssc-client/10/hostile-response-replayed"]
    assert replayed["raw_verdict"] == "FAIL" and replayed["verdict"] == "WARN"
    assert "exited 0" in replayed["reason"]


def test_a_client_that_never_connects_is_error(tmp_path):
    r, report = run_suite(tmp_path, "exit 0", "--filter", "wssc-client/03/*", "--filter", "wssc-client/10/*")
    assert r.returncode == 1
    for cid, c in verdicts(report).items():
        assert c["verdict"] == "ERROR", f"{cid}: {c['verdict']} {c['reason']}"
        assert "never connected" in c["reason"]


def test_a_hanging_client_is_stopped(tmp_path):
    start = time.monotonic()
    r, report = run_suite(tmp_path, "sleep 60", "--filter", "wssc-client/03/rst-action", "--client-timeout", "1")
    assert time.monotonic() - start < 20
    assert r.returncode == 1
    case = verdicts(report)["wssc-client/03/rst-action"]
    assert case["verdict"] == "ERROR" and "timed out" in case["reason"]


def test_listen_mode_serves_scenarios_to_a_polling_client(tmp_path):
    out = tmp_path / "report"
    run = subprocess.Popen([PARLEY, "run", "--suite", "wssc-client", "--target", str(profile(tmp_path)),
                            "--listen", "127.0.0.1:0", "--out", str(out), "--no-progress",
                            "--filter", "wssc-client/05/*", "--filter", "wssc-client/10/hostile-renew-*"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and url is None:
        line = run.stderr.readline()
        m = re.search(r"listening on (\S+?):? start", line)
        if m:
            url = m.group(1)
    assert url, "parley run --listen printed no URL"
    client = subprocess.run([PARLEY, "client", "--poll", url], capture_output=True, text=True, timeout=120)
    stdout, _ = run.communicate(timeout=120)
    assert run.returncode == 0, stdout
    assert client.returncode == 0, client.stdout + client.stderr
    assert "scenario renewal" in client.stdout and "scenario hostile/renew-forged" in client.stdout
    cases = verdicts(json.loads((out / "report.json").read_text()))
    assert len(cases) == 8
    assert all(c["verdict"] == "PASS" for c in cases.values()), {k: c["reason"] for k, c in cases.items()}


def test_exec_or_listen_is_required(tmp_path):
    r = parley("run", "--suite", "wssc-client", "--target", profile(tmp_path), "--out", tmp_path / "o")
    assert r.returncode == 2 and "--exec" in r.stderr
    r = parley("run", "--suite", "wssc-service", "--target", profile(tmp_path), "--out", tmp_path / "o",
               "--exec", "true")
    assert r.returncode == 2


def test_client_faults_are_listed_with_known_requirements_and_documented():
    r = parley("client", "--list-faults")
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert len(rows) >= 10
    catalog = json.loads(parley("list", "--requirements", "--format", "json").stdout)
    known = {q["id"] for q in catalog}
    doc = open(os.path.join(ROOT, "docs", "client-faults.md")).read()
    for name, reqs, sentence in rows:
        assert re.fullmatch(r"[a-z0-9-]+", name)
        for req in reqs.split(","):
            assert req in known, f"{name} cites unknown {req}"
        assert f"| `{name}` | {reqs.replace(',', ', ')} | {sentence} |" in doc, f"docs/client-faults.md: {name}"
    assert parley("client", "--harness", "--fault", "no-such-fault").returncode == 2


def test_list_shows_the_client_suite():
    r = parley("list", "--suite", "wssc-client", "--format", "json")
    assert r.returncode == 0, r.stderr
    cases = json.loads(r.stdout)
    assert len(cases) >= 30
    assert all(c["role"] == "CLI" for c in cases)
    r = parley("explain", "wssc-client/10/hostile-response-wrong-key")
    assert r.returncode == 0 and "WSS-8-01" in r.stdout
