"""The reference relying party over real HTTPS: `parley serve` with an [rp] config, signed in
through its test STS by a stdlib browser (tests/e2e/rp_browser.py). By value and by reference,
single node and a two-node farm sharing keys and a real redis-server; every damaged cookie is a
re-authentication, never a 5xx; every RP fault shows its behaviour change."""
import base64
import json
import re
import time
import urllib.parse

import pytest

from conftest import MACHINE_KEY, parley, rp_config
from rp_browser import Browser, parse_set_cookie


def start(oracle, pki, name="rp", faults=(), **kw):
    args = []
    for f in faults:
        args += ["--fault", f]
    node = oracle(rp_config(pki, **kw), name=name, args=args)
    node.app = node.url + "/app/"
    return node


def whoami(browser, node):
    r = browser.get(node.app + "whoami")
    assert r.status == 200, (r.status, r.text)
    return json.loads(r.text)


def signed_in(node, pki, **kw):
    b = Browser(f"{pki}/ca.pem")
    r = b.sign_in(node.app, **kw)
    assert r.status == 302, (r.status, r.text)
    return b, r


def value(browser):
    return "".join(c.value for c in browser.session_cookies())


def sct_xml(browser):
    return base64.b64decode(value(browser)).decode("utf-8-sig")


def assert_reauth(r, status=302):
    assert r.status == status, (r.status, r.text)
    if status == 302:
        assert "/sts/wsfed?wa=wsignin1.0" in r.header("Location")


def test_by_value_sign_in_use_whoami_sign_out(oracle, rp_pki):
    node = start(oracle, rp_pki)
    b = Browser(f"{rp_pki}/ca.pem")
    first = b.get(node.app + "page")
    assert first.status == 302
    loc = urllib.parse.urlsplit(first.header("Location"))
    q = dict(urllib.parse.parse_qsl(loc.query))
    assert loc.path == "/sts/wsfed"
    assert q == {"wa": "wsignin1.0", "wtrealm": "urn:parley:rp", "wreply": node.url + "/app/signin",
                 "wctx": "/app/page"}
    answer, form = b.follow_sts(first.header("Location"))
    assert answer.status == 302 and answer.header("Location") == "/app/page"
    cookies = answer.set_cookies()
    assert [c.name for c in cookies][:2] == ["FedAuth", "FedAuth1"]  # the bootstrap token makes it big
    for c in cookies:
        assert c.attrs["path"] == "/app/" and "secure" in c.attrs and "httponly" in c.attrs
        assert "expires" not in c.attrs
        assert len(c.value) <= 2000
    page = b.get(node.url + "/app/page")
    assert page.status == 200 and "Signed in as alice" in page.text
    who = whoami(b, node)
    assert who["mode"] == "value" and who["session"]["reference_mode"] is False
    assert who["session"]["session_id"].startswith("urn:uuid:")
    ident = who["identities"][0]
    assert ident["name"] == "alice" and ident["authentication_type"] == "Federation"
    types = {c["type"] for c in ident["claims"]}
    assert "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" in types
    assert b"Assertion" in base64.b64decode(ident["bootstrap_token"])
    # The cookie is WIF's: base64 of an SCT whose Identifier is the session id.
    assert who["session"]["session_id"] in sct_xml(b)
    n = len(b.session_cookies())
    out = b.get(node.app + "?wa=wsignout1.0")
    assert out.status == 302
    assert out.header("Location").startswith(node.url + "/sts/wsfed?wa=wsignout1.0")
    deleted = [c for c in out.set_cookies() if c.value == ""]
    assert len(deleted) == n and not b.session_cookies()
    assert_reauth(b.get(node.app))


def test_by_reference_small_cookie_and_sign_out_forgets(oracle, rp_pki):
    node = start(oracle, rp_pki, rp='mode = "reference"')
    b, _ = signed_in(node, rp_pki)
    assert len(b.session_cookies()) == 1 and len(value(b)) < 1000
    assert "<Cookie" not in sct_xml(b)
    who = whoami(b, node)
    assert who["mode"] == "reference" and who["session"]["reference_mode"] is True
    old = b.cookie_header("/app/")
    assert b.get(node.url + "/app/signout").status == 302
    replay = b.get(node.app, cookie_header=old)  # the old cookie after sign-out
    assert_reauth(replay)
    assert "no cached session" in replay.text


def test_unauthenticated_401_mode(oracle, rp_pki):
    node = start(oracle, rp_pki, rp='unauthenticated = "401"')
    b = Browser(f"{rp_pki}/ca.pem")
    r = b.get(node.app)
    assert r.status == 401 and r.header("WWW-Authenticate") == 'WSFederation realm="urn:parley:rp"'
    assert_reauth(b.get(node.app, cookie_header="FedAuth=garbage"), 401)


def test_saml2_post_sign_in(oracle, rp_pki):
    node = start(oracle, rp_pki, rp='signin_method = "saml2"')
    b = Browser(f"{rp_pki}/ca.pem")
    first = b.get(node.app + "x")
    assert first.status == 302 and "/sts/saml2/sso?SAMLRequest=" in first.header("Location")
    answer, form = b.follow_sts(first.header("Location"))
    assert {n for n, _ in form.fields} >= {"SAMLResponse", "RelayState"}
    assert answer.status == 302 and answer.header("Location") == "/app/x"
    assert whoami(b, node)["identities"][0]["name"] == "alice"


def test_sliding_session_is_reissued_past_half_its_lifetime(oracle, rp_pki):
    node = start(oracle, rp_pki, rp="sliding = true\nsession_lifetime_seconds = 4\nmax_clock_skew_seconds = 0")
    b, _ = signed_in(node, rp_pki)
    before = whoami(b, node)["session"]
    r = b.get(node.app)
    assert r.status == 200 and not r.set_cookies()
    time.sleep(2.3)
    r = b.get(node.app)
    assert r.status == 200 and r.set_cookies(), "past half the lifetime the cookie is re-issued"
    after = whoami(b, node)["session"]
    assert after["session_id"] == before["session_id"] and after["token_id"] != before["token_id"]
    assert after["valid_to"] > before["valid_to"]
    time.sleep(2.0)  # past the first token's expiry, inside the re-issued one
    assert b.get(node.app).status == 200


def test_expired_cookie_is_a_reauthentication_with_deletion(oracle, rp_pki):
    node = start(oracle, rp_pki, rp="session_lifetime_seconds = 2\nmax_clock_skew_seconds = 0")
    b, _ = signed_in(node, rp_pki)
    assert b.get(node.app).status == 200
    time.sleep(3)
    r = b.get(node.app)
    assert_reauth(r)
    assert "the session expired at" in r.text
    assert all(c.value == "" for c in r.set_cookies()) and r.set_cookies()


def damaged_cookies(b):
    v = value(b)
    xml = sct_xml(b)
    m = re.search(r"<Cookie[^>]*>([^<]+)</Cookie>", xml)
    raw = bytearray(base64.b64decode(m.group(1)))
    raw[len(raw) // 2] ^= 0x01
    tampered = xml.replace(m.group(1), base64.b64encode(bytes(raw)).decode())
    return {
        "corrupted": "FedAuth=" + "A" * 40 + "%%%",
        "truncated": "FedAuth=" + v[: len(v) // 2],
        "tampered": "FedAuth=" + base64.b64encode(tampered.encode()).decode(),
        "not-xml": "FedAuth=" + base64.b64encode(b"<<<").decode(),
        "missing-first-chunk": "FedAuth1=" + v[:100],
        "huge": "FedAuth=" + "A" * 30000,
    }


@pytest.mark.parametrize("unauth", ["redirect", "401"])
def test_damaged_cookies_never_get_a_5xx(oracle, rp_pki, unauth):
    node = start(oracle, rp_pki, rp=f'unauthenticated = "{unauth}"')
    if unauth == "redirect":
        b, _ = signed_in(node, rp_pki)
    else:
        b = Browser(f"{rp_pki}/ca.pem")
        first = b.get(node.app)
        url = re.search(r"sign in at (\S+)", first.text).group(1)
        assert b.follow_sts(url)[0].status == 302
    for name, cookie in damaged_cookies(b).items():
        r = b.get(node.app + "whoami", cookie_header=cookie)
        assert r.status < 500, (name, r.status, r.text)
        if name == "missing-first-chunk":  # no FedAuth: simply not signed in
            assert r.status == (302 if unauth == "redirect" else 401)
            continue
        assert_reauth(r, 302 if unauth == "redirect" else 401)
        assert any(c.name == "FedAuth" and c.value == "" for c in r.set_cookies()), name


@pytest.mark.parametrize("mode", ["value", "reference"])
def test_two_node_farm_with_redis(oracle, rp_pki, redis_server, mode):
    cache = f'kind = "redis"\naddress = "{redis_server.address}"\nkey_prefix = "farm:{mode}:"'
    a = start(oracle, rp_pki, name="a", rp=f'mode = "{mode}"', cache=cache)
    bnode = start(oracle, rp_pki, name="b", rp=f'mode = "{mode}"', cache=cache)
    br, _ = signed_in(a, rp_pki)
    sid = whoami(br, a)["session"]["session_id"]
    cookie = br.cookie_header("/app/")
    assert whoami(br, bnode)["session"]["session_id"] == sid  # issued by A, honoured by B
    assert br.get(a.app + "signout").status == 302
    after = br.get(bnode.app, cookie_header=cookie)
    if mode == "reference":
        assert_reauth(after)  # sign-out on A is seen by B
    else:
        assert after.status == 200  # by value nothing is stored: the old cookie lives until it expires
    # A sign-in token replayed to the other node is refused (the replay cache is in Redis too).
    b2 = Browser(f"{rp_pki}/ca.pem")
    first = b2.get(a.app)
    page = b2.get(first.header("Location"))
    from rp_browser import FormParser
    form = FormParser()
    form.feed(page.text)
    assert b2.post_form(form.action, form.fields).status == 302
    replay = b2.post_form(bnode.url + "/app/signin", form.fields)
    assert replay.status == 401 and "replay" in replay.text


def test_farm_node_with_another_key_refuses(oracle, rp_pki):
    a = start(oracle, rp_pki, name="a")
    other = start(oracle, rp_pki, name="other", machine_key=False)
    b, _ = signed_in(a, rp_pki)
    assert_reauth(b.get(other.app, cookie_header=b.cookie_header("/app/")))


def test_redis_down_is_a_reauthentication(oracle, rp_pki, redis_server):
    node = start(oracle, rp_pki, rp='mode = "reference"',
                 cache=f'kind = "redis"\naddress = "{redis_server.address}"\ncommand_timeout_ms = 300')
    b, _ = signed_in(node, rp_pki)
    redis_server.stop()
    r = b.get(node.app)
    assert_reauth(r)
    assert "redis" in r.text


def test_list_faults_in_rp_mode(tmp_path, rp_pki):
    cfg = tmp_path / "rp.toml"
    cfg.write_text(rp_config(rp_pki))
    r = parley("serve", "--config", cfg, "--list-faults")
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.strip().splitlines()]
    assert len(rows) >= 15
    names = {row[0] for row in rows}
    assert names == set(FAULTS)
    assert all(re.fullmatch(r"RP-[A-Z]+-\d\d(,RP-[A-Z]+-\d\d)*", row[1]) for row in rows)
    bad = parley("serve", "--config", cfg, "--fault", "skip-replay-detection")  # an oracle fault
    assert bad.returncode == 2 and "no such relying-party fault" in bad.stderr


# --- every fault, shown: the same scenario on a clean node and on a faulty one ----------------

def signin_cookie_attrs(node, pki):
    _, r = signed_in(node, pki)
    return r.set_cookies()[0].attrs


def over_chunk_limit(node, pki):
    b, _ = signed_in(node, pki)
    v = value(b)
    per = -(-len(v) // 150)
    chunks = [v[i:i + per] for i in range(0, len(v), per)]
    header = "; ".join(("FedAuth" if i == 0 else f"FedAuth{i}") + "=" + c for i, c in enumerate(chunks))
    return b.get(node.app, cookie_header=header).status


def stale_chunk(node, pki):
    b, _ = signed_in(node, pki)
    n = len(b.session_cookies())
    b.jar[f"FedAuth{n}"] = parse_set_cookie(f"FedAuth{n}=stale; path=/app/")
    # A new sign-in (straight through the STS) from a browser carrying one chunk more than it needs.
    again, _ = b.follow_sts(sts_signin_url(node))
    assert again.status == 302
    return b.get(node.app).status


def sts_signin_url(node):
    return (node.url + "/sts/wsfed?" +
            urllib.parse.urlencode({"wa": "wsignin1.0", "wtrealm": "urn:parley:rp", "wreply": node.url + "/app/signin"}))


def expired_session(node, pki):
    b, _ = signed_in(node, pki)
    time.sleep(2.5)
    return b.get(node.app).status


def crafted(node, pki, edit):
    """A real cookie decoded with `parley cookie decode`, edited, re-encoded with the farm's keys."""
    b, _ = signed_in(node, pki)
    keys = ["--transform", "deflate", "--transform", "machinekey", "--decryption-key", MACHINE_KEY["decryption"],
            "--validation-key", MACHINE_KEY["validation"]]
    path = node.dir / "cookie.txt"
    path.write_text(value(b))
    dec = parley("cookie", "decode", *keys, "--input-format", "value", path)
    assert dec.returncode == 0, dec.stderr
    doc = json.loads(dec.stdout)
    token = doc.get("token", doc)
    edit(token)
    tj = node.dir / "token.json"
    tj.write_text(json.dumps(token))
    enc = parley("cookie", "encode", *keys, "--output", "value", tj)
    assert enc.returncode == 0, enc.stderr
    return b.get(node.app, cookie_header="FedAuth=" + enc.stdout.strip()).status


def future_session(node, pki):
    def edit(t):
        t["effective_time"] = t["key_effective_time"] = "2099-01-01T00:00:00.0000000Z"
        t["expiry_time"] = t["key_expiry_time"] = "2099-01-02T00:00:00.0000000Z"
    return crafted(node, pki, edit)


def other_endpoint(node, pki):
    return crafted(node, pki, lambda t: t.update({"endpoint_id": "/other/"}))


def tampered_mac(node, pki):
    b, _ = signed_in(node, pki)
    xml = sct_xml(b)
    m = re.search(r"<Cookie[^>]*>([^<]+)</Cookie>", xml)
    raw = bytearray(base64.b64decode(m.group(1)))
    raw[-1] ^= 0x01  # the last byte of the MachineKey HMAC
    xml = xml.replace(m.group(1), base64.b64encode(bytes(raw)).decode())
    return b.get(node.app, cookie_header="FedAuth=" + base64.b64encode(xml.encode()).decode()).status


def garbage_cookie(node, pki):
    return Browser(f"{pki}/ca.pem").get(node.app, cookie_header="FedAuth=garbage").status


def session_length(node, pki):
    b, _ = signed_in(node, pki)
    s = whoami(b, node)["session"]
    parse = lambda t: time.mktime(time.strptime(t[:19], "%Y-%m-%dT%H:%M:%S"))
    return round((parse(s["valid_to"]) - parse(s["valid_from"])) / 3600)


def second_sign_in_same_id(node, pki):
    b, _ = signed_in(node, pki)
    first = whoami(b, node)["session"]["session_id"]
    again, _ = b.follow_sts(sts_signin_url(node))
    assert again.status == 302
    return whoami(b, node)["session"]["session_id"] == first


def old_cookie_after_sign_out(node, pki):
    b, _ = signed_in(node, pki)
    old = b.cookie_header("/app/")
    assert b.get(node.app + "signout").status == 302
    return b.get(node.app, cookie_header=old).status


def sign_out_deletions(node, pki):
    b, _ = signed_in(node, pki)
    n = len(b.session_cookies())
    assert n >= 2
    out = b.get(node.app + "signout")
    return len([c for c in out.set_cookies() if c.value == ""]) == n


def replayed_sign_in(node, pki):
    from rp_browser import FormParser
    b = Browser(f"{pki}/ca.pem")
    page = b.get(b.get(node.app).header("Location"))
    form = FormParser()
    form.feed(page.text)
    assert b.post_form(form.action, form.fields).status == 302
    return b.post_form(form.action, form.fields).status


def sts_behaviour(name):
    def scenario(node, pki):
        b = Browser(f"{pki}/ca.pem")
        return b.sign_in(node.app, sts_query=f"parley-token={name}").status
    return scenario


# fault -> (node config, scenario, clean outcome, faulty outcome)
FAULTS = {
    "drop-secure": ({}, lambda n, p: "secure" in signin_cookie_attrs(n, p), True, False),
    "drop-httponly": ({}, lambda n, p: "httponly" in signin_cookie_attrs(n, p), True, False),
    "root-cookie-path": ({}, lambda n, p: signin_cookie_attrs(n, p)["path"], "/app/", "/"),
    "persistent-cookie": ({}, lambda n, p: "expires" in signin_cookie_attrs(n, p), False, True),
    "unbounded-chunks": ({}, over_chunk_limit, 302, 200),
    "stale-chunks-on-reissue": ({}, stale_chunk, 200, 302),
    "accept-expired-session": ({"rp": "session_lifetime_seconds = 1\nmax_clock_skew_seconds = 0"},
                               expired_session, 302, 200),
    "ignore-not-yet-valid": ({}, future_session, 302, 200),
    "skip-cookie-integrity": ({}, tampered_mac, 302, 200),
    "500-on-bad-cookie": ({}, garbage_cookie, 302, 500),
    "ignore-endpoint-id": ({}, other_endpoint, 302, 200),
    "session-outlives-token": ({}, session_length, 1, 10),
    "reuse-session-id": ({}, second_sign_in_same_id, False, True),
    "keep-cache-entry-on-signout": ({"rp": 'mode = "reference"'}, old_cookie_after_sign_out, 302, 200),
    "partial-signout-deletion": ({}, sign_out_deletions, True, False),
    "accept-replayed-signin": ({}, replayed_sign_in, 401, 302),
    "accept-wrong-audience": ({}, sts_behaviour("wrong-audience"), 401, 302),
    "accept-untrusted-signature": ({}, sts_behaviour("untrusted-signer"), 401, 302),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_changes_behaviour_not_profile(oracle, rp_pki, fault):
    config, scenario, clean_outcome, faulty_outcome = FAULTS[fault]
    clean = start(oracle, rp_pki, name="clean", **config)
    faulty = start(oracle, rp_pki, name="faulty", faults=[fault], **config)
    assert faulty.profile.read_text().replace(faulty.url, "URL") == clean.profile.read_text().replace(clean.url, "URL")
    assert "FAULTS INJECTED" in faulty.log_path.read_text()
    assert scenario(clean, rp_pki) == clean_outcome
    assert scenario(faulty, rp_pki) == faulty_outcome
