"""`parley run --suite wif-session` against the reference relying party (`parley serve` with an
[rp] config): by value and by reference, single node and a two-node farm sharing a real
redis-server, WS-Fed and SAML 2.0 POST; every RP fault caught by a case citing its requirements."""
import json
import re

import pytest

from conftest import MACHINE_KEY, parley, rp_config

SUITE = ["--suite", "wif-session"]


def start(oracle, pki, name="rp", faults=(), **kw):
    args = []
    for f in faults:
        args += ["--fault", f]
    return oracle(rp_config(pki, **kw), name=name, args=args)


def run_suite(node, out, *extra, profile=None):
    r = parley("run", *SUITE, "--target", profile or node.profile, "--out", out, "--no-progress",
               "--allow-destructive", *extra)
    assert (out / "report.json").exists(), r.stdout + r.stderr
    report = json.loads((out / "report.json").read_text())
    verdicts = {c["id"]: c["verdict"] for c in report["cases"]}
    return r, report, verdicts


def with_farm(node, other, path):
    """node's profile plus farm_urls naming the other node's protected URL."""
    text = node.profile.read_text()
    text = text.replace("[capabilities]", f'farm_urls = ["{other.url}/app/"]\n\n[capabilities]', 1)
    path.write_text(text)
    return path


# Verdicts every configuration shares (the rest depend on the mode: see each test).
COMMON = {
    "wif/01/unauthenticated": "PASS", "wif/01/sign-in": "PASS",
    "wif/02/cookie-secure": "PASS", "wif/02/cookie-httponly": "PASS", "wif/02/cookie-path": "PASS",
    "wif/02/cookie-expires": "PASS", "wif/02/cookie-samesite": "INFO", "wif/02/cookie-domain": "PASS",
    "wif/02/cookie-scope": "PASS", "wif/03/fresh-session-id": "PASS",
    "wif/04/garbage-cookie": "PASS", "wif/04/truncated-cookie": "PASS", "wif/04/altered-cookie": "PASS",
    "wif/04/oversized-cookie": "PASS", "wif/05/not-beyond-token": "PASS", "wif/06/signin-replay": "PASS",
    "wif/06/signin-expired": "PASS", "wif/06/signin-not-yet-valid": "PASS", "wif/06/signin-wrong-audience": "PASS",
    "wif/06/signin-wrong-issuer": "PASS", "wif/06/signin-unsigned": "PASS", "wif/06/signin-bad-signature": "PASS",
    "wif/06/signin-untrusted-signer": "PASS", "wif/06/signin-wrapped": "PASS",
    "wif/07/signout-deletes": "PASS", "wif/10/chunk-naming": "PASS", "wif/10/stale-chunks": "PASS",
    "wif/10/chunk-bomb": "PASS", "wif/14/claims-round-trip": "PASS", "wif/14/bootstrap-token": "PASS",
    "wif/14/whoami-unauthenticated": "PASS",
}
BY_VALUE = {
    **COMMON,
    "wif/05/expired-session": "PASS", "wif/05/not-yet-valid-session": "PASS", "wif/05/clock-skew": "PASS",
    "wif/05/other-endpoint": "PASS", "wif/07/replay-after-signout": "INFO", "wif/10/reassembly": "PASS",
    "wif/10/missing-middle-chunk": "PASS", "wif/11/tampered-transforms": "PASS",
    "wif/12/reference-signout-replay": "NOT_APPLICABLE", "wif/12/reference-small-cookie": "NOT_APPLICABLE",
    "wif/12/reference-eviction": "NOT_APPLICABLE",
}
BY_REFERENCE = {
    **COMMON,
    # No token travels in the cookie: nothing to forge, reassemble or tamper with per transform.
    "wif/05/expired-session": "NOT_APPLICABLE", "wif/05/not-yet-valid-session": "NOT_APPLICABLE",
    "wif/05/clock-skew": "NOT_APPLICABLE", "wif/05/other-endpoint": "NOT_APPLICABLE",
    "wif/10/reassembly": "NOT_APPLICABLE", "wif/10/missing-middle-chunk": "NOT_APPLICABLE",
    "wif/11/tampered-transforms": "NOT_APPLICABLE",
    "wif/07/replay-after-signout": "PASS", "wif/12/reference-signout-replay": "PASS",
    "wif/12/reference-small-cookie": "PASS",
}


def assert_clean(r, report, verdicts, expected):
    assert r.returncode == 0, r.stdout + r.stderr
    by = report["summary"]["by_verdict"]
    assert by["FAIL"] == 0 and by["ERROR"] == 0 and by["PREREQ_FAILED"] == 0, r.stdout
    for case, verdict in expected.items():
        assert verdicts.get(case) == verdict, (case, verdicts.get(case),
                                               [c["reason"] for c in report["cases"] if c["id"] == case])


def test_by_value_single_node(oracle, rp_pki, tmp_path):
    node = start(oracle, rp_pki)
    assert MACHINE_KEY["validation"] in node.profile.read_text()  # [cookie_protection]
    r, report, verdicts = run_suite(node, tmp_path / "out", "--redact")
    assert_clean(r, report, verdicts, {**BY_VALUE, "wif/13/farm": "NOT_APPLICABLE"})
    assert len(verdicts) >= 40
    # Every case cites requirements; the replay command names the suite.
    for c in report["cases"]:
        assert c["requirements"] and c["replay"].startswith("parley run --suite wif-session --target ")
    assert report["target"]["kind"] == "relying-party"
    text = (tmp_path / "out" / "report.json").read_text()
    assert MACHINE_KEY["decryption"] not in text and MACHINE_KEY["validation"] not in text


def test_by_reference_single_node_with_a_small_cache(oracle, rp_pki, tmp_path):
    node = start(oracle, rp_pki, rp='mode = "reference"', cache="max_entries = 12")
    r, report, verdicts = run_suite(node, tmp_path / "out")
    assert_clean(r, report, verdicts, {**BY_REFERENCE, "wif/12/reference-eviction": "PASS",
                                       "wif/13/farm": "NOT_APPLICABLE"})


@pytest.mark.parametrize("mode", ["value", "reference"])
def test_two_node_redis_farm(oracle, rp_pki, redis_server, tmp_path, mode):
    cache = f'kind = "redis"\naddress = "{redis_server.address}"\nkey_prefix = "suite:{mode}:"'
    a = start(oracle, rp_pki, name="a", rp=f'mode = "{mode}"', cache=cache)
    b = start(oracle, rp_pki, name="b", rp=f'mode = "{mode}"', cache=cache)
    profile = with_farm(a, b, tmp_path / "farm-profile.toml")
    r, report, verdicts = run_suite(a, tmp_path / "out", profile=profile)
    expected = dict(BY_VALUE if mode == "value" else BY_REFERENCE)
    expected.pop("wif/12/reference-eviction", None)  # Redis declares no bound
    expected["wif/13/farm"] = "PASS"
    assert_clean(r, report, verdicts, expected)
    if mode == "reference":
        signout = next(c for c in report["cases"] if c["id"] == "wif/12/reference-signout-replay")
        assert "every node of the farm" in signout["reason"]


@pytest.mark.parametrize("variant", ["saml2", "401"])
def test_saml2_post_and_401_rps(oracle, rp_pki, tmp_path, variant):
    rp = 'signin_method = "saml2"' if variant == "saml2" else 'unauthenticated = "401"'
    node = start(oracle, rp_pki, rp=rp)
    r, report, verdicts = run_suite(node, tmp_path / "out")
    assert_clean(r, report, verdicts, BY_VALUE)


def test_profile_kind_must_match_the_suite(oracle, rp_pki, tmp_path):
    node = start(oracle, rp_pki)
    r = parley("run", "--target", node.profile, "--out", tmp_path / "out")
    assert r.returncode == 2 and "use --suite wif-session" in r.stderr


def test_list_requirements_shows_the_wif_session_catalog_covered():
    r = parley("list", *SUITE, "--requirements")
    assert r.returncode == 0, r.stderr
    m = re.search(r"(\d+) of (\d+) requirements \(docs/requirements/wif-session.json\) covered", r.stdout)
    assert m and int(m.group(2)) >= 30 and m.group(1) == m.group(2), r.stdout[-400:]
    assert "RP-COOKIE-01  MUST [C] (both)  wif/02/cookie-secure, passive/wif/cookie-attributes" in r.stdout
    assert "SC-2-01" not in r.stdout  # the WS-SC catalog belongs to the other suite
    cases = json.loads(parley("list", *SUITE, "--format", "json").stdout)
    assert all(c["id"].startswith("wif/") and c["role"] == "RP" for c in cases)


# --- every RP fault caught -------------------------------------------------------------------

def fault_rows(pki, tmp_path):
    cfg = tmp_path / "list.toml"
    cfg.write_text(rp_config(pki))
    r = parley("serve", "--config", cfg, "--list-faults")
    assert r.returncode == 0, r.stderr
    return {row[0]: row[1].split(",") for row in (line.split("\t") for line in r.stdout.strip().splitlines())}


FAULT_CONFIG = {"keep-cache-entry-on-signout": {"rp": 'mode = "reference"'}}


def test_every_fault_is_caught_by_a_case_citing_its_requirements(oracle, rp_pki, tmp_path):
    cases = json.loads(parley("list", *SUITE, "--format", "json").stdout)
    rows = fault_rows(rp_pki, tmp_path)
    assert len(rows) >= 18
    missed = {}
    for fault, reqs in sorted(rows.items()):
        citing = [c["id"] for c in cases if set(c["requirements"]) & set(reqs)]
        assert citing, f"no case cites {reqs} ({fault})"
        node = start(oracle, rp_pki, name=fault, faults=[fault], **FAULT_CONFIG.get(fault, {}))
        filters = [a for case in citing for a in ("--filter", case)]
        r, report, verdicts = run_suite(node, tmp_path / f"out-{fault}", *filters)
        caught = [c for c in report["cases"] if c["verdict"] in ("FAIL", "WARN")
                  and {q["id"] for q in c["requirements"]} & set(reqs)]
        if not caught:
            missed[fault] = verdicts
        node.stop()
    assert not missed, missed
