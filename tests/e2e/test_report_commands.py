"""`parley report html|merge|diff|sign|verify` and --redact on real runs against the oracle."""
import base64
import hashlib
import hmac
import http.client
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import urllib.parse

import jsonschema
import pytest

from conftest import ROOT, parley

SCHEMA = json.load(open(os.path.join(ROOT, "reports", "report.schema.json")))

# An oracle that does not accept amendments while its profile claims it: one FAIL, so that
# the reports have something to compare.
NO_AMEND = '[wssc]\namend = false\n'


def run(profile, out, *extra):
    return parley("run", "--target", profile, "--out", out, "--jobs", "2", *extra)


def load(out):
    report = json.load(open(out / "report.json"))
    jsonschema.validate(report, SCHEMA)
    return report


def claim(profile, **capabilities):
    """Edits the [capabilities] of a profile file (what the target claims)."""
    text = profile.read_text()
    for key, value in capabilities.items():
        text = re.sub(rf"(?m)^{key} = \w+$", f"{key} = {'true' if value else 'false'}", text)
    profile.write_text(text)


@pytest.fixture
def two_runs(oracle, tmp_path):
    """A clean run and a run with one regression (amend claimed, refused), same target name."""
    good = oracle("")
    bad = oracle(NO_AMEND, name="no-amend")
    claim(bad.profile, amend=True)
    assert run(good.profile, tmp_path / "good").returncode == 0
    r = run(bad.profile, tmp_path / "bad")
    assert r.returncode == 1, r.stdout + r.stderr
    return tmp_path / "good", tmp_path / "bad"


def test_run_writes_index_html_and_report_html_regenerates_it(two_runs, tmp_path):
    good, _ = two_runs
    page = (good / "index.html").read_text()
    report = load(good)
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "default-src &#39;none&#39;" in page
    assert page.count('class="case"') == len(report["cases"])
    assert f'<b>{report["summary"]["applicable"]}</b> of {report["summary"]["total"]} cases applicable' in page
    assert 'id="req-SC-2-01"' in page  # the coverage matrix, from the catalog in report.json
    assert report["catalog"] and any(not r["cases"] for r in report["catalog"])
    os.remove(good / "index.html")
    r = parley("report", "html", good)
    assert r.returncode == 0, r.stderr
    assert (good / "index.html").read_text() == page


def test_diff_reports_regressions_and_fixes(two_runs, tmp_path):
    good, bad = two_runs
    r = parley("report", "diff", good, bad)
    assert r.returncode == 1, r.stdout + r.stderr
    # The claimed-but-refused amend turns the amend cases red, and nothing else.
    assert "  wssc/00/amend-probe: PASS -> FAIL\n" in r.stdout
    assert "this service does not accept amendments" in r.stdout
    forward = json.loads(parley("report", "diff", good, bad, "--format", "json").stdout)
    regressed = sorted(c["id"] for c in forward["regressions"])
    assert "wssc/00/amend-probe" in regressed and all("amend" in i or i.startswith("wssc/04/") for i in regressed)
    assert f"regressions ({len(regressed)}):" in r.stdout
    r = parley("report", "diff", bad, good, "--format", "json")
    assert r.returncode == 0
    d = json.loads(r.stdout)
    assert sorted(c["id"] for c in d["fixed"]) == regressed
    assert d["regressions"] == [] and d["exit_code"] == 0
    # Two runs of the same target: reasons differ only in ids and ports, which the diff ignores.
    r = parley("report", "diff", good, good / "report.json")
    assert r.returncode == 0 and "0 regressions, 0 fixed, 0 changed" in r.stdout


def test_diff_and_merge_refuse_bad_input_naming_the_file(two_runs, tmp_path):
    good, _ = two_runs
    r = parley("report", "diff", good, tmp_path / "nowhere")
    assert r.returncode == 2 and "nowhere" in r.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    doc = json.load(open(good / "report.json"))
    doc["cases"][2]["verdict"] = "GREAT"
    (broken / "report.json").write_text(json.dumps(doc))
    r = parley("report", "merge", good, broken, "--out", tmp_path / "m")
    assert r.returncode == 2
    assert str(broken / "report.json") in r.stderr and "/cases/2/verdict" in r.stderr
    (broken / "report.json").write_text('{"schema": "something-else/2"}')
    r = parley("report", "diff", good, broken)
    assert r.returncode == 2 and "not a parley report" in r.stderr
    assert parley("report", "diff", good).returncode == 2  # usage


def test_merge_puts_one_column_per_target(two_runs, tmp_path):
    good, bad = two_runs
    out = tmp_path / "merged"
    r = parley("report", "merge", good, bad, "--out", out)
    assert r.returncode == 0, r.stderr
    m = json.load(open(out / "comparison.json"))
    assert m["schema"] == "parley-comparison/1"
    assert [t["report_dir"] for t in m["targets"]] == ["../good", "../bad"]
    assert m["targets"][0]["label"] == "parley reference service (../good)"  # same name twice
    probe = next(c for c in m["cases"] if c["id"] == "wssc/00/amend-probe")
    assert [x["verdict"] for x in probe["results"]] == ["PASS", "FAIL"]
    req = next(x for x in m["requirements"] if x["id"] == "SC-4-01")
    assert req["results"] == ["PASS", "FAIL"]
    page = (out / "index.html").read_text()
    assert 'href="../bad/index.html#case-wssc/00/amend-probe"' in page
    assert page.count('data-row="case"') == len(m["cases"])
    assert page.count('data-differs="1"') >= 2  # the case and its requirement


def make_key(tmp_path, kind):
    key = tmp_path / f"{kind}.pem"
    if kind == "rsa":
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
                       check=True, capture_output=True)
    else:
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key],
                       check=True, capture_output=True)
    cert = tmp_path / f"{kind}-cert.pem"
    subprocess.run(["openssl", "req", "-new", "-x509", "-key", key, "-subj", "/CN=parley auditor test", "-days", "2",
                    "-out", cert], check=True, capture_output=True)
    pub = tmp_path / f"{kind}-pub.pem"
    subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True, capture_output=True)
    return key, cert, pub


@pytest.mark.parametrize("kind", ["rsa", "ec"])
def test_sign_and_verify_detect_tampering(two_runs, tmp_path, kind):
    good, _ = two_runs
    key, cert, pub = make_key(tmp_path, kind)
    r = parley("report", "sign", good, "--key", key, "--cert", cert)
    assert r.returncode == 0, r.stderr
    sig = json.load(open(good / "report.sig"))
    assert sig["schema"] == "parley-report-signature/1" and "BEGIN CERTIFICATE" in sig["signer_certificate"]
    for trusted in (cert, pub):
        r = parley("report", "verify", good, "--key", trusted)
        assert r.returncode == 0 and "intact" in r.stdout, r.stdout + r.stderr

    # Anyone can check the signature with plain openssl, as docs/reports.md shows.
    (tmp_path / "manifest").write_text(sig["manifest"])
    (tmp_path / "signature").write_bytes(base64.b64decode(sig["signature"]))
    assert subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", tmp_path / "signature",
                           tmp_path / "manifest"], capture_output=True).returncode == 0

    def verify():
        return parley("report", "verify", good, "--key", cert)

    html = (good / "index.html").read_bytes()
    (good / "index.html").write_bytes(html.replace(b"no failures", b"no failures at all"))
    r = verify()
    assert r.returncode == 1 and "changed: index.html" in r.stdout
    (good / "index.html").write_bytes(html)
    (good / "extra.txt").write_text("slipped in")
    r = verify()
    assert r.returncode == 1 and r.stdout.splitlines()[0] == "added: extra.txt"
    os.remove(good / "extra.txt")
    junit = (good / "junit.xml").read_bytes()
    os.remove(good / "junit.xml")
    r = verify()
    assert r.returncode == 1 and r.stdout.splitlines()[0] == "removed: junit.xml"
    (good / "junit.xml").write_bytes(junit)
    assert verify().returncode == 0

    # A forged report.sig (manifest edited to match an edited file) and a stranger's key.
    _, other_cert, _ = make_key_other(tmp_path, kind)
    r = parley("report", "verify", good, "--key", other_cert)
    assert r.returncode == 1 and "does not verify" in r.stdout
    forged = dict(sig)
    forged["manifest"] = sig["manifest"].replace("  index.html", "  index.htm")
    (good / "report.sig").write_text(json.dumps(forged))
    r = verify()
    assert r.returncode == 1 and "does not verify" in r.stdout
    assert parley("report", "verify", good, "--key", tmp_path / "missing.pem").returncode == 2


def make_key_other(tmp_path, kind):
    d = tmp_path / "other"
    d.mkdir(exist_ok=True)
    return make_key(d, kind)


# --- redaction --------------------------------------------------------------------------------

def p_sha1(secret, seed, length):
    out, a = b"", seed
    while len(out) < length:
        a = hmac.new(secret, a, hashlib.sha1).digest()
        out += hmac.new(secret, a + seed, hashlib.sha1).digest()
    return out[:length]


class Recorder:
    """A loopback HTTP proxy between `parley run` and the oracle that keeps every body, so the
    test knows the run's secrets without asking parley."""

    def __init__(self, upstream):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.bodies = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def forward(self, method):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length) if length else b""
                conn = http.client.HTTPConnection(recorder.upstream.hostname, recorder.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(method, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                recorder.bodies += [body.decode("utf-8", "replace"), data.decode("utf-8", "replace")]
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            def do_POST(self):
                self.forward("POST")

            def do_GET(self):
                self.forward("GET")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def secrets(self, known_keys):
        """Every secret the traffic shows or implies: BinarySecret values (entropy, proof keys),
        Password values, the context keys, and every DKT key derived from them."""
        values = set()
        keys = [bytes.fromhex(k) for k in known_keys]
        for body in self.bodies:
            for m in re.finditer(r"<(?:\w+:)?(BinarySecret|Password)\b[^>]*>([^<]+)<", body):
                values.add(m.group(2).strip())
                if m.group(1) == "BinarySecret":
                    keys.append(base64.b64decode(m.group(2)))
        derived = []
        seen_seeds = set()
        keys = list(dict.fromkeys(keys))
        for body in self.bodies:
            for dkt in re.finditer(r"<(?:\w+:)?DerivedKeyToken\b.*?</(?:\w+:)?DerivedKeyToken>", body, re.S):
                text = dkt.group(0)
                nonce = re.search(r"<(?:\w+:)?Nonce>([^<]+)<", text)
                length = re.search(r"<(?:\w+:)?Length>(\d+)<", text)
                offset = re.search(r"<(?:\w+:)?Offset>(\d+)<", text)
                label = re.search(r"<(?:\w+:)?Label>([^<]*)<", text)
                if not nonce:
                    continue
                n = int(length.group(1)) if length else 32
                o = int(offset.group(1)) if offset else 0
                if o + n > 4096:
                    continue  # the huge-value cases: nobody derives these, so they hide no secret
                seed = (label.group(1) if label else "WS-SecureConversationWS-SecureConversation").encode() + \
                    base64.b64decode(nonce.group(1))
                if seed in seen_seeds:
                    continue
                seen_seeds.add(seed)
                for k in keys:
                    derived.append(p_sha1(k, seed, o + n)[o:])
        for k in keys + derived:
            if len(k) >= 8:
                values |= {k.hex(), k.hex().upper(), base64.b64encode(k).decode()}
        return {v for v in values if len(v) >= 8}


@pytest.mark.parametrize("config,credentials", [
    ('[wssc]\nbootstrap = "username-token"\nentropy = "server"\n[users]\nalice = "wonderland-42"\n',
     ["wonderland-42"]),
    ('[wssc]\nbootstrap = "preshared-sct"\n[preshared]\nidentifier = "urn:uuid:00000000-0000-4000-8000-0000000000bb"\n'
     'key = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7"\n',
     ["5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7"]),
], ids=["username-token", "preshared-sct"])
def test_redact_leaves_no_secret_in_any_output(oracle, tmp_path, config, credentials):
    o = oracle(config)
    recorder = Recorder(o.url)
    try:
        profile = o.profile.read_text()
        base = urllib.parse.urlsplit(o.url)
        profile = profile.replace(f"http://{base.netloc}", recorder.url)
        proxied = tmp_path / "proxied.toml"
        proxied.write_text(profile)
        out = tmp_path / "redacted"
        # A representative subset (issuance, renew, cancel, referencing, shaped derived keys): every
        # kind of key the suite handles, without deriving every DKT of the whole suite in Python.
        r = run(proxied, out, "--redact", "--filter", "wssc/03/*", "--filter", "wssc/05/*", "--filter", "wssc/06/*",
                "--filter", "wssc/08/*", "--filter", "wssc/07/generation", "--filter", "wssc/07/custom-label")
        assert r.returncode == 0, r.stdout + r.stderr
    finally:
        recorder.stop()
    # The context keys as the unredacted evidence would show them: the proof keys on the wire
    # (entropy "server") or the pre-shared key.
    secrets = recorder.secrets([c for c in credentials if re.fullmatch(r"[0-9a-f]{64}", c)])
    secrets |= set(credentials)
    assert len(secrets) > 20, secrets  # the traffic did carry keys, nonces-derived keys and passwords
    merged = tmp_path / "merged"
    assert parley("report", "merge", out, "--out", merged).returncode == 0
    outputs = list(out.iterdir()) + list(merged.iterdir())
    assert {p.name for p in outputs} >= {"report.json", "junit.xml", "index.html", "comparison.json"}
    for path in outputs:
        text = path.read_text()
        for s in secrets:
            assert s not in text, f"{path.name} contains the secret {s}"
    report = load(out)
    assert report["redacted"] is True
    assert all(k["key"] == "[redacted]" for c in report["cases"] for k in c["evidence"]["keys"])
    assert "[redacted]" in (out / "index.html").read_text()


def test_report_html_redact_masks_an_unredacted_report(oracle, tmp_path):
    o = oracle('[wssc]\nbootstrap = "username-token"\n[users]\nalice = "wonderland-7"\n')
    out = tmp_path / "plain"
    assert run(o.profile, out).returncode == 0
    report = load(out)
    keys = [k["key"] for c in report["cases"] for k in c["evidence"]["keys"]]
    assert keys and keys[0] in (out / "index.html").read_text()  # shown when not redacted
    r = parley("report", "html", out, "--redact", "--out", tmp_path / "safe.html")
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "safe.html").read_text()
    assert "wonderland-7" not in page
    assert not [k for k in keys if k in page]
