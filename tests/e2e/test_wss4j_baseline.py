"""The service suite against Apache WSS4J 1.6 (interop/wss4j, pre-shared SCT), gated by
interop/wss4j/baseline.json: each known deviation is listed with its reason, and anything else
(a new FAIL, or a listed case that now behaves differently) turns the run red."""
import json
import os

from conftest import ROOT, parley

BASELINE = os.path.join(ROOT, "interop", "wss4j", "baseline.json")


def test_wss4j_matches_its_baseline(wss4j, tmp_path):
    out = tmp_path / "report"
    r = parley("run", "--target", wss4j.profile, "--out", out, "--jobs", "2", "--no-progress",
               "--baseline", BASELINE, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.load(open(out / "report.json"))
    verdicts = {c["id"]: c["verdict"] for c in report["cases"]}
    baseline = json.load(open(BASELINE))["entries"]
    # Every listed deviation is still there, with the verdict the baseline records.
    for entry in baseline:
        assert verdicts[entry["case"]] == entry["verdict"], entry["case"]
        assert entry["reason"] and "TODO" not in entry["reason"], entry["case"]
    # Nothing fails outside the baseline, nothing errors, and the run decided something.
    listed = {e["case"] for e in baseline}
    for case, verdict in verdicts.items():
        assert verdict not in ("ERROR", "PREREQ_FAILED"), case
        if verdict == "FAIL":
            assert case in listed, case
    assert sum(v == "PASS" for v in verdicts.values()) >= 20


def test_a_baseline_missing_a_deviation_fails_the_run(wss4j, tmp_path):
    """The gate works: drop one entry and the same run exits 1."""
    entries = json.load(open(BASELINE))["entries"]
    trimmed = tmp_path / "trimmed.json"
    trimmed.write_text(json.dumps({"schema": "parley-baseline/1",
                                   "entries": [e for e in entries if e["case"] != "wssc/11/id-collision"]}))
    r = parley("run", "--target", wss4j.profile, "--out", tmp_path / "report", "--jobs", "2", "--no-progress",
               "--filter", "wssc/11/*", "--baseline", trimmed, timeout=600)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "wssc/11/id-collision" in r.stdout
