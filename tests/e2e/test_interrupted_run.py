"""Reports are never lost: SIGINT / SIGTERM during `parley run` writes a complete partial report
marked interrupted (report.json, JUnit, HTML) and exits 3 (docs/reports.md)."""
import json
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import PARLEY


@pytest.mark.parametrize("signo", [signal.SIGINT, signal.SIGTERM])
def test_signal_writes_a_partial_report_marked_interrupted(oracle, tmp_path, signo):
    # A slow-drip target keeps every case busy, so the signal lands mid-run.
    o = oracle("", name="slow", args=["--fault", "hostile-slow-drip"])
    out = tmp_path / "out"
    proc = subprocess.Popen([PARLEY, "run", "--target", str(o.profile), "--out", str(out), "--jobs", "2",
                             "--timeout", "60", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(2)
    assert proc.poll() is None, proc.communicate()
    sent = time.monotonic()
    proc.send_signal(signo)
    stdout, stderr = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    print(f"exit {proc.returncode} {took:.1f} s after the signal\n{stderr}")
    assert proc.returncode == 3, stdout + stderr
    assert took < 10, took  # the grace period (3 s) and the report, not the cases' timeouts
    assert "interrupted" in stderr

    report = json.loads((out / "report.json").read_text())
    assert report["interrupted"] is True
    assert report["summary"]["exit_code"] == 3
    cases = report["cases"]
    assert len(cases) == report["summary"]["total"] > 2
    cut = [c for c in cases if c["reason"].startswith("interrupted:")]
    not_run = [c for c in cases if c["reason"].startswith("not run:")]
    assert len(cut) == 2, [c["reason"] for c in cases]  # --jobs 2: two were running
    assert not_run and all(c["verdict"] == "ERROR" for c in cut + not_run)

    suite = ET.parse(out / "junit.xml").getroot()
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props.get("interrupted") == "true"
    assert int(suite.get("errors")) >= len(cut) + len(not_run)
    html = (out / "index.html").read_text()
    assert "This run was interrupted" in html and html.rstrip().endswith("</html>")
    # Written atomically: no temporary file left next to the reports.
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "junit.xml", "report.json"]
