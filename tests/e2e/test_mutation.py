"""scripts/mutation (python/parley/mutation.py): the rule on hand-made reports, its tables against
suites/mutation_test.cpp, and real runs of the built binary for a few faults. The whole run (every
fault) is scripts/test's own step after pytest, so that it runs once."""
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import PARLEY, ROOT

sys.path.insert(0, os.path.join(ROOT, "python"))
from parley import mutation  # noqa: E402


def case(cid, verdict, reqs, raw=None, levels=None):
    levels = levels or {}
    return {"id": cid, "verdict": verdict, "raw_verdict": raw or verdict, "reason": "",
            "requirements": [{"id": r, "level": levels.get(r, ("MUST", "C"))[0],
                              "status": levels.get(r, ("MUST", "C"))[1]} for r in reqs]}


def cases(*items):
    return {c["id"]: c for c in items}


FAULT = mutation.Fault("service", "demo", ["SC-1", "SC-2"], "demo fault")


def test_a_fail_citing_the_fault_with_nothing_else_moving_is_detected():
    clean = cases(case("a", "PASS", ["SC-1"]), case("b", "PASS", ["SC-9"]), case("c", "NOT_APPLICABLE", ["SC-2"]))
    faulty = cases(case("a", "FAIL", ["SC-1"]), case("b", "PASS", ["SC-9"]), case("c", "NOT_APPLICABLE", ["SC-2"]))
    v = mutation.judge(FAULT, clean, faulty)
    assert v["detected"] and v["why"] == ""
    assert v["expected"] == ["a"]  # c does not apply in the clean run
    assert v["flipped"] == ["a"]
    assert v["moved"] == {}


def test_an_unrelated_case_that_moves_spoils_detection_unless_explained():
    clean = cases(case("a", "PASS", ["SC-1"]), case("b", "PASS", ["SC-9"]))
    faulty = cases(case("a", "FAIL", ["SC-1"]), case("b", "ERROR", ["SC-9"]))
    v = mutation.judge(FAULT, clean, faulty)
    assert not v["detected"]
    assert v["unexplained"] == ["b"] and v["moved"] == {"b": "PASS -> ERROR"}
    assert v["why"] == "unrelated cases moved: b (PASS -> ERROR)"
    assert mutation.judge(FAULT, clean, faulty, {"b"})["detected"]
    assert mutation.judge(FAULT, clean, faulty, {"*"})["explained"] == ["b"]


def test_error_and_prereq_failed_do_not_count():
    clean = cases(case("a", "PASS", ["SC-1"]), case("b", "PASS", ["SC-2"]))
    faulty = cases(case("a", "ERROR", ["SC-1"]), case("b", "PREREQ_FAILED", ["SC-2"]))
    v = mutation.judge(FAULT, clean, faulty)
    assert not v["detected"] and v["flipped"] == []
    assert v["why"] == "no case citing its requirements turned red"


def test_warn_counts_only_when_the_fault_breaks_no_firm_must():
    # Capped by the level rules (raw FAIL): counts.
    capped = case("a", "WARN", ["SC-1"], raw="FAIL", levels={"SC-1": ("SHOULD", "C")})
    assert mutation.red(capped, {"SC-1"})
    # The case's own WARN about a SHOULD / PROFILE row of the fault: counts.
    own = case("a", "WARN", ["SC-1", "SC-7"], levels={"SC-1": ("SHOULD", "P"), "SC-7": ("MUST", "C")})
    assert mutation.red(own, {"SC-1"})
    assert mutation.red(case("a", "WARN", ["SC-1"], levels={"SC-1": ("PROFILE", "P")}), {"SC-1"})
    # ... an unconfirmed MUST is capped like a SHOULD.
    assert mutation.red(case("a", "WARN", ["SC-1"], levels={"SC-1": ("MUST", "U")}), {"SC-1"})
    # A WARN where the fault breaks a firm MUST ("MUST NOT" too): the case should have FAILed.
    assert not mutation.red(case("a", "WARN", ["SC-1"], levels={"SC-1": ("MUST NOT", "C")}), {"SC-1"})
    assert not mutation.red(own, {"SC-7"})
    assert not mutation.red(case("a", "INFO", ["SC-1"]), {"SC-1"})


def test_nothing_applicable_and_missing_clean_cases_are_reported():
    v = mutation.judge(FAULT, cases(case("b", "PASS", ["SC-9"])), cases(case("b", "PASS", ["SC-9"])))
    assert not v["detected"] and v["why"] == "no applicable case cites its requirements"
    v = mutation.judge(FAULT, cases(), cases(case("a", "FAIL", ["SC-1"])))
    assert not v["detected"] and v["why"] == "cases missing from the clean run: a"


def test_ci_filters_are_the_citing_cases_plus_one_per_section():
    catalog = [{"id": "wssc/03/a", "requirements": ["SC-1"]}, {"id": "wssc/03/b", "requirements": ["SC-9"]},
               {"id": "wssc/03/c", "requirements": ["SC-8"]}, {"id": "wssc/05/d", "requirements": ["SC-2", "SC-9"]},
               {"id": "wssc/07/e", "requirements": ["SC-9"]},
               {"id": "wssc/10/flood", "requirements": ["SC-9"], "destructive": True}]
    base = mutation.Setup("x")
    assert mutation.ci_filters(FAULT, catalog, base) == ["wssc/03/a", "wssc/05/d", "wssc/03/b", "wssc/07/e"]
    assert mutation.ci_filters(FAULT, catalog, mutation.Setup("y", filters=["wssc/00/*"])) == ["wssc/00/*"]


def test_fault_lists_are_parsed_and_hostile_families_excluded():
    rows = mutation.parse_fault_list("service", "a-fault\tSC-1,SC-2\tdoes a thing\n\n")
    assert [(f.name, f.requirements, f.description) for f in rows] == [("a-fault", ["SC-1", "SC-2"], "does a thing")]
    assert mutation.Fault("service", "hostile-slowloris", [], "slow peer").excluded()
    assert mutation.Fault("service", "x", [], "garbles TLS; Excluded from mutation").excluded()
    assert not rows[0].excluded()
    with pytest.raises(ValueError):
        mutation.parse_fault_list("client", "no tabs here")


def fault_names():
    # Fault::kX -> its --fault name, from harness/oracle/faults.cpp's table.
    src = open(os.path.join(ROOT, "harness", "oracle", "faults.cpp")).read()
    return dict(re.findall(r'\{Fault::(k\w+),\s*"([a-z0-9.-]+)"', src))


def test_tables_mirror_the_in_process_mutation_test():
    # COLLATERAL and SERVICE_SETUPS say over HTTP what suites/mutation_test.cpp says in process.
    names = fault_names()
    src = open(os.path.join(ROOT, "suites", "mutation_test.cpp")).read()
    explained = src[src.index("explained()"):src.index("return m;")]
    cpp = {}
    for m in re.finditer(r"\{Fault::(k\w+),\s*\{([^}]*)\}\}", explained):
        cpp[names[m.group(1)]] = set(re.findall(r'"([^"]+)"', m.group(2)))
    py = {name: ids for (kind, name), ids in mutation.COLLATERAL.items() if kind == "service"}
    assert len(cpp) >= 10 and py == cpp
    setup = src[src.index("FaultSetup setup_for"):src.index("default: return s;")]
    custom = {names[m] for m in re.findall(r"case Fault::(k\w+):", setup)}
    assert custom == set(mutation.SERVICE_SETUPS)
    listed = {line.split("\t")[0] for line in subprocess.run([PARLEY, "serve", "--list-faults"], capture_output=True,
                                                              text=True, check=True).stdout.splitlines()}
    assert set(mutation.SERVICE_SETUPS) <= listed and set(py) <= listed


def run_script(tmp_path, *args):
    out = tmp_path / "mutation"
    r = subprocess.run([os.path.join(ROOT, "scripts", "mutation"), "--parley-bin", PARLEY, "--out", str(out), *args],
                       capture_output=True, text=True, timeout=600)
    result = json.loads((out / "mutation.json").read_text()) if (out / "mutation.json").exists() else None
    return r, result, out


def test_scripts_mutation_detects_service_and_client_faults(tmp_path):
    r, result, out = run_script(tmp_path, "--only", "drop-rst-context", "--only", "dispatch-on-soapaction",
                                "--only", "constant-entropy", "--kind", "service", "--kind", "client")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "mutation score: 3/3 (100 %)" in r.stdout
    assert result["faults"] == 3 and result["detected"] == 3 and result["score"] == 100
    assert result["mode"] == "ci" and result["clean_problems"] == []
    rows = {row["fault"]: row for row in result["table"]}
    drop = rows["drop-rst-context"]
    assert drop["requirements"] == ["SC-3-10"] and drop["configuration"] == "username-token"
    assert drop["flipped"] == ["wssc/03/context-echoed"] and drop["unexplained"] == []
    # The CI subset: the citing cases plus one per section, never the whole suite.
    assert "wssc/03/context-echoed" in drop["filters"] and drop["judged_cases"] == len(drop["filters"]) < 30
    soap = rows["dispatch-on-soapaction"]
    assert soap["configuration"] == "soap-1.1" and soap["flipped"] == ["wssc/03/empty-soapaction"]
    entropy = rows["constant-entropy"]
    assert entropy["suite"] == "wssc-client" and "wssc-client/03/entropy-fresh" in entropy["flipped"]
    md = (out / "mutation.md").read_text()
    assert "| wssc-service | `drop-rst-context` | username-token | SC-3-10 | `wssc/03/context-echoed` |" in md
    # Clean runs are kept for diagnosis; detected faults' runs are not.
    runs = sorted(os.listdir(out / "runs"))
    assert runs == ["clean-client-reference-client", "clean-service-soap-1.1", "clean-service-username-token"]


def test_an_unexplained_collateral_case_fails_the_run(tmp_path, monkeypatch):
    # Without its explanation, unsigned-addressing moves every scenario past the first call.
    monkeypatch.setitem(mutation.COLLATERAL, ("client", "unsigned-addressing"), set())
    runner = mutation.Runner(PARLEY, str(tmp_path / "m"), log=lambda *_: None)
    result = runner.run(only={"unsigned-addressing"}, kinds=("client",))
    (row,) = result["table"]
    assert result["score"] == 0 and row["status"] == "missed"
    assert row["flipped"] == ["wssc-client/10/signed-addressing"]
    assert row["moved"]["wssc-client/06/cancel-on-close"] == "PASS -> FAIL"
    assert row["why"].startswith("unrelated cases moved: ")


def test_update_doc_replaces_only_the_marked_table(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(f"intro\n{mutation.BEGIN}\nold table\n{mutation.END}\noutro\n")
    result = {"detected": 1, "faults": 1, "score": 100.0, "skipped": 0, "mode": "full", "command": "scripts/mutation",
              "clean_problems": [], "table": [{"suite": "wssc-service", "fault": "f", "configuration": "c",
                                               "requirements": ["SC-1"], "expected": ["a"], "flipped": ["a"],
                                               "explained": [], "detected": True, "status": "detected"}]}
    mutation.update_doc(str(doc), result)
    text = doc.read_text()
    assert text.startswith("intro\n" + mutation.BEGIN + "\nMutation score: **1 of 1 faults detected (100 %)**")
    assert "old table" not in text and text.endswith(mutation.END + "\noutro\n")
    assert "| wssc-service | `f` | c | SC-1 | `a` | `a` | yes |" in text
