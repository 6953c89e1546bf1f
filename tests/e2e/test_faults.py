"""`parley serve --fault`: injected non-conformances, as the mutation self-test will use them."""
import json
import re

from conftest import parley


def list_faults():
    r = parley("serve", "--list-faults")
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    return rows


def test_list_faults_names_requirements_that_exist():
    rows = list_faults()
    assert len(rows) >= 25
    catalog = json.loads(parley("list", "--requirements", "--format", "json").stdout)
    known = {r["id"] for r in (catalog["requirements"] if isinstance(catalog, dict) else catalog)}
    sections = set()
    for row in rows:
        assert len(row) == 3, row
        name, reqs, sentence = row
        assert re.fullmatch(r"[a-z0-9.-]+", name), name
        assert sentence and not sentence.endswith(".")
        if name.startswith("hostile-"):
            assert reqs == "", name  # transport faults cite no requirement (test_hostile_peers.py)
            continue
        for req in reqs.split(","):
            assert req in known, f"{name} cites unknown requirement {req}"
            sections.add(req.rsplit("-", 1)[0])
    # Spread over the catalog: SCT, issuance, amend, renew, cancel, DKT, references, faults,
    # security, Trust, WSS and the WCF profile.
    for prefix in ["SC-2", "SC-3", "SC-4", "SC-5", "SC-6", "SC-7", "SC-8", "SC-9", "SC-10", "WST-3.1", "WSS-10", "WCF"]:
        assert prefix in sections, prefix


def test_unknown_fault_is_a_usage_error():
    r = parley("serve", "--fault", "no-such-fault")
    assert r.returncode == 2
    assert "no-such-fault" in r.stderr and "--list-faults" in r.stderr


def test_fault_changes_behaviour_not_the_profile(oracle, tmp_path):
    clean = oracle("", name="clean")
    faulty = oracle("", name="faulty", args=["--fault", "bare-rstr-under-1.3", "--fault", "drop-rst-context"])
    strip_port = lambda text: re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    assert strip_port(clean.profile.read_text()) == strip_port(faulty.profile.read_text())
    assert "FAULTS INJECTED" in faulty.log_path.read_text()

    # The suite tells them apart: both injected faults turn their cases red.
    for o, out in ((clean, tmp_path / "clean"), (faulty, tmp_path / "faulty")):
        parley("run", "--target", o.profile, "--out", out, "--jobs", "2",
               "--filter", "wssc/03/response-wrapping", "--filter", "wssc/03/context-echoed")
    verdicts = lambda out: {c["id"]: c["verdict"] for c in json.load(open(out / "report.json"))["cases"]}
    assert verdicts(tmp_path / "clean") == {"wssc/03/response-wrapping": "PASS", "wssc/03/context-echoed": "PASS"}
    assert verdicts(tmp_path / "faulty") == {"wssc/03/response-wrapping": "FAIL", "wssc/03/context-echoed": "FAIL"}
