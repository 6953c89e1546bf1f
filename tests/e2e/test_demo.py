"""README's first command, scripts/demo (the main job), with the binary under test: every suite
against the embedded reference targets, three reports and their merged comparison, exit 0."""
import json
import os
import subprocess

from conftest import PARLEY, ROOT


def test_demo_runs_every_suite_against_the_reference_targets(tmp_path):
    out = tmp_path / "demo"
    env = dict(os.environ, PARLEY_BIN=PARLEY, PARLEY_DEMO_OUT=str(out))
    r = subprocess.run([os.path.join(ROOT, "scripts", "demo")], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert " passed, 0 failed" in r.stdout  # parley vectors verify
    for suite, minimum in (("wssc-service", 80), ("wif-session", 35), ("wssc-client", 46)):
        report = json.loads((out / suite / "report.json").read_text())
        assert report["suite"] == suite
        v = report["summary"]["by_verdict"]
        assert v.get("FAIL", 0) == v.get("ERROR", 0) == v.get("PREREQ_FAILED", 0) == 0, (suite, v)
        assert v.get("PASS", 0) >= minimum, (suite, v)
        assert (out / suite / "index.html").stat().st_size > 10000
        assert (out / suite / "junit.xml").exists()
    comparison = json.loads((out / "comparison.json").read_text())
    assert [t["suite"] for t in comparison["targets"]] == ["wssc-service", "wif-session", "wssc-client"]
    assert (out / "index.html").exists()
    assert "exit code 0" in r.stdout
