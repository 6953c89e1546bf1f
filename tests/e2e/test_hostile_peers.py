"""A hostile target: `parley serve --fault hostile-*` breaks every SOAP answer at the HTTP level
(harness/oracle/faults.h), and `parley run` must report the case as not run with a reason naming
what happened, within its timeouts, and still write complete reports (docs/design/transport.md,
"Hostile peers"): ERROR when the target gave no HTTP answer at all (the target broke), and
PREREQ_FAILED when it answered over HTTP with something the case's issuance could not use."""
import json
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import parley

CASE = "wssc/03/context-echoed"
TIMEOUT = 3  # parley run --timeout: each exchange is bounded by it

# Faults whose answer is no HTTP answer at all: the case is ERROR. The XML bomb and the redirect
# loop are HTTP answers (200 with a DTD, 302): the issuance is refused, PREREQ_FAILED.
NO_HTTP_ANSWER = {"hostile-endless-body", "hostile-huge-content-length", "hostile-slow-drip",
                  "hostile-reset-mid-body", "hostile-binary-garbage"}

# fault -> words the case's reason must contain (the transport failure as the client saw it)
HOSTILE = {
    "hostile-endless-body": ["max_body_bytes 4194304"],
    "hostile-huge-content-length": ["max_body_bytes 4194304", "10737418240"],
    "hostile-slow-drip": ["timed out after 3000 ms reading the response body"],
    "hostile-reset-mid-body": ["reading the response body", "of 65536 bytes received"],
    "hostile-xml-bomb": ["refused: parley never processes DTDs"],
    "hostile-binary-garbage": ["the response is not HTTP/1.x"],
    "hostile-redirect-loop": ["HTTP 302"],
}


def test_every_hostile_fault_is_listed_without_requirements():
    rows = [line.split("\t") for line in parley("serve", "--list-faults").stdout.splitlines()]
    hostile = {name: reqs for name, reqs, _ in rows if name.startswith("hostile-")}
    assert set(hostile) == set(HOSTILE)
    assert all(reqs == "" for reqs in hostile.values())


@pytest.mark.parametrize("fault", sorted(HOSTILE))
def test_run_against_a_hostile_target_reports_error_in_time(oracle, tmp_path, fault):
    o = oracle("", name="hostile", args=["--fault", fault])
    out = tmp_path / "out"
    started = time.monotonic()
    r = parley("run", "--target", o.profile, "--out", out, "--jobs", "1", "--timeout", TIMEOUT,
               "--filter", CASE, timeout=120)
    elapsed = time.monotonic() - started
    print(f"{fault}: parley run took {elapsed:.1f} s; exit {r.returncode}")
    # Nothing decisive happened: exit 1, never a crash or a hang.
    assert r.returncode == 1, r.stdout + r.stderr
    # The case is bounded by its budget (4 x --timeout); with the process around it, well under 30 s.
    assert elapsed < 30, elapsed

    report = json.loads((out / "report.json").read_text())
    assert report["interrupted"] is False
    (case,) = report["cases"]
    assert case["id"] == CASE
    print(f"{fault}: {case['verdict']}: {case['reason']}")
    # The case's setup (issuance) is what meets the hostile answer; the reason names the failure.
    verdict = "ERROR" if fault in NO_HTTP_ANSWER else "PREREQ_FAILED"
    assert case["verdict"] == verdict, case
    prefix = "the target gave no usable HTTP answer, so the case could not run: " if verdict == "ERROR" else ""
    assert case["reason"].startswith(prefix + "issuance did not succeed: "), case["reason"]
    for word in HOSTILE[fault]:
        assert word in case["reason"], (word, case["reason"])
    assert report["summary"]["by_verdict"][verdict] == 1

    suite = ET.parse(out / "junit.xml").getroot()
    (testcase,) = suite.iter("testcase")
    # JUnit's <error> for ERROR (the target broke), <failure> for PREREQ_FAILED.
    element = testcase.find("error" if verdict == "ERROR" else "failure")
    assert element is not None, ET.tostring(testcase)
    assert HOSTILE[fault][0] in element.get("message", "") + (element.text or "")
    html = (out / "index.html").read_text()
    assert html.rstrip().endswith("</html>") and CASE in html


def test_run_against_a_target_whose_tls_certificate_is_not_trusted_stops_with_the_reason(oracle, rp_pki, tmp_path):
    # Invalid TLS: the oracle serves HTTPS with gen-certs' throw-away CA, which nothing trusts.
    # `parley run` checks the target is reachable before any case: it stops there, in time, with
    # exit 3 ("the run could not complete") and the TLS failure named.
    o = oracle(f'[server]\ntls = true\ncertificate = "{rp_pki}/server.pem"\nprivate_key = "{rp_pki}/server.key"\n',
               name="untrusted-tls")
    assert 'sts_url = "https://' in o.profile.read_text()
    started = time.monotonic()
    r = parley("run", "--target", o.profile, "--out", tmp_path / "out", "--jobs", "1", "--timeout", TIMEOUT,
               "--filter", CASE, timeout=120)
    assert time.monotonic() - started < 30
    assert r.returncode == 3, r.stdout + r.stderr
    assert "the target could not be reached" in r.stderr, r.stderr
    assert "TLS handshake failed: the server certificate did not verify" in r.stderr, r.stderr
