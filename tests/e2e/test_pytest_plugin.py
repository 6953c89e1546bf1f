"""`pytest -p parley.pytest_plugin --parley-target PROFILE`: a user's pytest run (a subprocess with
PYTHONPATH=python/) against the oracle, clean and with a fault, read back from its JUnit XML."""
import os
import subprocess
import xml.etree.ElementTree as ET

from conftest import PARLEY, ROOT

BASE = '[wssc]\nbootstrap = "username-token"\n[users]\nalice = "wonderland"\n'


def user_pytest(tmp_path, profile, *args):
    junit = tmp_path / "junit-user.xml"
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    env.pop("PYTEST_ADDOPTS", None)
    r = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-p", "no:cacheprovider", "-p", "parley.pytest_plugin",
                        "--parley-target", str(profile), "--parley-bin", PARLEY, "--parley-out", str(tmp_path / "rep"),
                        "--junitxml", str(junit), "-rA", *args],
                       capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    cases = {}
    if junit.exists():
        for tc in ET.parse(junit).getroot().iter("testcase"):
            outcome = "passed"
            for child in tc:
                if child.tag in ("failure", "error", "skipped"):
                    outcome = child.tag
                    if child.tag == "skipped" and child.get("type") == "pytest.xfail":
                        outcome = "xfail"
                    message = child.get("message", "")
                    break
            else:
                message = ""
            props = {p.get("name"): p.get("value") for p in tc.iter("property")}
            cases[tc.get("name")] = (outcome, message, props)
    return r, cases


def test_clean_oracle_every_case_passes_or_is_skipped(oracle, tmp_path):
    o = oracle(BASE)
    r, cases = user_pytest(tmp_path, o.profile)
    assert r.returncode == 0, r.stdout + r.stderr
    outcomes = [c[0] for c in cases.values()]
    assert len(cases) == 97
    assert outcomes.count("skipped") == 11 and outcomes.count("passed") == 86
    outcome, message, props = cases["wssc/02/cookie-protected"]
    assert outcome == "skipped" and message == "NOT_APPLICABLE: the profile disclaims cookie_mode"
    _, _, props = cases["wssc/03/context-echoed"]
    assert props["parley_verdict"] == "PASS" and props["parley_level"] == "MUST"
    assert props["parley_requirements"] == "SC-3-10"
    # parley ran once, for the whole suite, and its report stays.
    assert r.stdout.count("run --target") == 1 and "--filter" not in r.stdout
    assert (tmp_path / "rep" / "report.json").exists()
    assert f"report: {tmp_path / 'rep'}/index.html (11 NOT_APPLICABLE, 86 PASS)" in r.stdout


def test_faulty_oracle_fails_and_warns_with_the_reasons(oracle, tmp_path):
    o = oracle(BASE, args=["--fault", "resolve-unknown-identifier"])
    r, cases = user_pytest(tmp_path, o.profile, "-k", "wssc/08/ or wssc/09/")
    assert r.returncode == 1, r.stdout + r.stderr
    assert all(cid.startswith(("wssc/08/", "wssc/09/")) for cid in cases) and len(cases) >= 6
    # -k selected cases: parley ran only those.
    assert "--filter wssc/08/unknown-identifier" in r.stdout and "--filter wssc/03/" not in r.stdout
    outcome, message, props = cases["wssc/09/fault-qname"]
    assert outcome == "failure" and props["parley_verdict"] == "FAIL"
    assert "FAIL: the fault's QName is {http://docs.oasis-open.org/wss/2004/01/" in message
    assert "requirements: SC-9-06, SC-9-01" in message and "replay: parley run --target" in message
    outcome, message, props = cases["wssc/08/unknown-identifier"]
    assert outcome == "xfail" and props["parley_verdict"] == "WARN"
    # Which context the faulty service falls back on depends on what ran last (the cases run
    # in parallel), so the wording of the answer varies; the verdict and its subject do not.
    assert message.startswith("WARN: ") and "naming an Identifier the service never issued" in message
    assert cases["wssc/08/reference-by-identifier"][0] == "passed"
    # --parley-strict: WARN fails, as parley run --strict.
    r, cases = user_pytest(tmp_path, o.profile, "-k", "unknown-identifier", "--parley-strict")
    assert r.returncode == 1
    assert cases["wssc/08/unknown-identifier"][0] == "failure"


def test_markers_select_by_level_and_section(oracle, tmp_path):
    o = oracle(BASE)
    r, cases = user_pytest(tmp_path, o.profile, "-m", "section_5 and level_must")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "wssc/05/renew-new-instance" in cases and "wssc/00/renew-probe" in cases  # SC-5-01 is section 5
    assert "wssc/03/context-echoed" not in cases
    assert all(p["parley_section"] == "5" and p["parley_level"] == "MUST" for _, _, p in cases.values())


def test_a_missing_profile_is_a_usage_error(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    r = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-p", "parley.pytest_plugin", "--parley-target",
                        str(tmp_path / "nope.toml")], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 4 and "nope.toml: no such file" in r.stderr


def test_an_unreachable_target_fails_every_item_with_parleys_error(tmp_path):
    profile = tmp_path / "dead.toml"
    profile.write_text('[target]\nname = "nothing"\n[wssc]\nservice_url = "http://127.0.0.1:1/service"\n')
    r, cases = user_pytest(tmp_path, profile, "-k", "context-echoed or renew-probe")
    assert r.returncode == 1
    assert sorted(cases) == ["wssc/00/renew-probe", "wssc/03/context-echoed"]
    for outcome, message, _ in cases.values():
        assert outcome == "failure"
        assert "exited 3" in message and "the target could not be reached" in message
