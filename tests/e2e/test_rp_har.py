"""A real browser's HAR of the reference RP's sign-in flow, imported and analyzed.

Headless Chromium signs in to `parley serve` in RP mode through its test STS (302 to the STS,
the auto-posting WS-Federation form, the RP's FedAuth cookies), calls whoami and signs out; the
DevTools Network events become a HAR 1.2 file (har_recorder.py), which `parley import` and
`parley analyze` read as a user's browser export would be read."""
import json
import time

from chromium import Browser
from conftest import parley
from har_recorder import build_har, wait_for_extra_info
from test_rp import start


def wait_for_url(browser, prefix, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            href = browser.evaluate("location.href")
            state = browser.evaluate("document.readyState")
        except RuntimeError:  # the page is navigating: ask again
            href, state = "", ""
        if href.startswith(prefix) and state == "complete":
            return href
        time.sleep(0.1)
    raise AssertionError(f"the browser never reached {prefix}: it is at {href}")


def browse_sign_in(node, tmp_path):
    # The RP's certificate comes from gen-certs' test CA, which Chromium does not know; the
    # host-resolver rules keep it on 127.0.0.1.
    with Browser(extra_flags=["--ignore-certificate-errors"]) as b:
        b.call("Network.enable", maxPostDataSize=65536)
        b.events.clear()
        b.call("Page.navigate", url=node.app + "page")
        wait_for_url(b, node.app + "page")
        b.call("Page.navigate", url=node.app + "whoami")
        wait_for_url(b, node.app + "whoami")
        whoami = json.loads(b.evaluate("document.body.innerText"))
        b.call("Page.navigate", url=node.app + "?wa=wsignout1.0")
        wait_for_url(b, node.url + "/")
        wait_for_extra_info(b)
        har = build_har(b)
    path = tmp_path / "sign-in.har"
    path.write_text(json.dumps(har, indent=1))
    return path, har, whoami


def test_a_chromium_har_of_the_rp_sign_in_imports_and_analyzes(oracle, rp_pki, tmp_path):
    node = start(oracle, rp_pki)
    path, har, whoami = browse_sign_in(node, tmp_path)
    assert whoami["identities"], whoami
    entries = har["log"]["entries"]
    urls = [e["request"]["method"] + " " + e["request"]["url"] for e in entries]
    # The flow as the browser saw it: redirect to the STS, the form POST back, the session.
    assert any("/sts/wsfed?wa=wsignin1.0" in u for u in urls), urls
    assert any(u.startswith("POST ") for u in urls), urls
    set_cookies = [c["name"] for e in entries for c in e["response"]["cookies"]]
    assert "FedAuth" in set_cookies, urls
    sent = [c["name"] for e in entries for c in e["request"]["cookies"]]
    assert "FedAuth" in sent

    capture = tmp_path / "sign-in.jsonl"
    r = parley("import", path, "--out", capture)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "stripped" not in (r.stdout + r.stderr)

    out = tmp_path / "analysis"
    r = parley("analyze", path, "--out", out)
    assert r.returncode == 0, r.stdout + r.stderr
    cases = {c["id"]: c for c in json.load(open(out / "report.json"))["cases"]}
    for check in ("passive/wif/cookie-attributes", "passive/wif/cookie-path", "passive/wif/cookie-chunking",
                  "passive/wif/sign-out"):
        assert cases[check]["verdict"] == "PASS", (check, cases[check]["reason"])
