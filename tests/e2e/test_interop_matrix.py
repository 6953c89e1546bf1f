"""scripts/interop-matrix without the WSS4J column (tests/e2e/test_wss4j_baseline.py covers that
target): every oracle mode, the reference client and the reference RP in one merged comparison.
Under `scripts/test --full` only."""
import json
import os
import subprocess

import pytest

from conftest import PARLEY, ROOT


@pytest.mark.full  # about 2.5 min: every column runs elsewhere in CI (test_run, test_wif_suite, test_client_suite)
def test_interop_matrix_merges_every_oracle_mode_and_the_client(tmp_path):
    out, runs = tmp_path / "matrix", tmp_path / "runs"
    r = subprocess.run([os.path.join(ROOT, "scripts", "interop-matrix"), "--parley-bin", PARLEY, "--no-wss4j",
                        "--out", str(out), "--runs", str(runs)], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    comparison = json.loads((out / "comparison.json").read_text())
    labels = [t["label"] for t in comparison["targets"]]
    assert labels == ["parley oracle: SOAP 1.2, WS-SC 1.3, no bootstrap", "parley oracle: SOAP 1.1, WS-SC Feb 2005",
                      "parley oracle: username-token bootstrap", "parley oracle: x509-mutual bootstrap",
                      "parley oracle: cookie mode (stateless SCTs)", "parley reference client",
                      "parley reference RP (WIF cookies by value)"]
    assert [t["suite"] for t in comparison["targets"]] == ["wssc-service"] * 5 + ["wssc-client", "wif-session"]
    for t in comparison["targets"]:
        # Every implementation here is a reference: nothing applicable may be red.
        v = t["summary"]["by_verdict"]
        assert v["FAIL"] == v["ERROR"] == v["WARN"] == v["PREREQ_FAILED"] == 0, t["label"]
        assert t["summary"]["applicable"] >= (35 if t["suite"] == "wif-session" else 46) and t["redacted"]
        assert os.path.exists(os.path.join(out, t["index_html"]))
    # The modes differ in what applies: cookie mode leaves out reference-by-identifier, Feb 2005
    # over SOAP 1.1 judges the empty SOAPAction.
    by_label = {t["label"]: t["summary"] for t in comparison["targets"]}
    assert by_label["parley oracle: cookie mode (stateless SCTs)"]["applicable"] < \
        by_label["parley oracle: x509-mutual bootstrap"]["applicable"]
    readme = (out / "README.md").read_text()
    assert "scripts/interop-matrix --no-wss4j" in readme
    assert "| parley reference client (`reference-client`) | wssc-client | 46 of 46 | 46 |" in readme
    assert "| parley reference RP (WIF cookies by value) (`reference-rp`) | wif-session |" in readme
    x509 = (out / "profiles" / "oracle-x509-mutual.toml").read_text()
    assert 'client_certificate_file = "PKI/client.pem"' in x509 and "/tmp" not in x509
    assert (out / "index.html").read_text().count("parley oracle:") >= 5
