"""Cookie mode across real processes: two `parley serve` sharing a key ring are a farm.

`parley client --context FILE` carries one session from run to run, so each step can go to
another node (docs/design/cookie-mode.md)."""
import json
import subprocess

from conftest import ROOT, parley

KEY_OLD = "11" * 32
KEY_NEW = "22" * 32
KEY_OTHER = "33" * 32


def write_ring(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("# parley cookie key ring: first key seals\n" + "".join(f"{line}\n" for line in lines))
    return path


def cookie_config(ring):
    return f'[cookie]\nenabled = true\nkey_ring_file = "{ring}"\n'


def client(node, context, *steps):
    return parley("client", "--target", node.profile, "--context", context, *steps)


def assert_ok(result, steps):
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split(":")[0] for line in result.stdout.strip().splitlines()] == list(steps)


def test_profile_claims_cookie_mode_and_disclaims_cancel(oracle, tmp_path):
    o = oracle(cookie_config(write_ring(tmp_path, "ring", [f"k1 {KEY_OLD}"])))
    profile = o.profile.read_text()
    assert "cookie_mode = true\n" in profile
    assert "cancel = false\n" in profile
    assert "cookie mode: stateless SCTs sealed under key 'k1'" in o.log_path.read_text()


def test_two_processes_with_one_ring_accept_each_others_tokens(oracle, tmp_path):
    ring = write_ring(tmp_path, "ring", [f"k1 {KEY_OLD}"])
    a = oracle(cookie_config(ring), name="a")
    b = oracle(cookie_config(ring), name="b")
    ctx = tmp_path / "ctx.json"
    assert_ok(client(a, ctx, "issue"), ["issue"])
    issued = ctx.read_text()
    assert "Cookie" in issued and "http://schemas.microsoft.com/ws/2006/05/security" in issued
    r = client(b, ctx, "call", "renew")
    assert_ok(r, ["call", "renew"])
    assert '<e:Echo xmlns:e="urn:example">hi</e:Echo>' in r.stdout
    assert "instance urn:uuid:" in r.stdout
    assert_ok(client(a, ctx, "call"), ["call"])  # A accepts the token B renewed
    # Cancel is answered as WCF answers it in cookie mode, on either node; the token lives on.
    for node in (a, b):
        r = client(node, ctx, "cancel")
        assert r.returncode == 1, r.stdout + r.stderr
        assert "cancel: FAILED" in r.stdout and "SecureConversationCancellationNotAllowed" in r.stdout
        assert_ok(client(node, ctx, "call"), ["call"])
    # Nothing was stored: a restarted node still knows the token.
    a.stop()
    a2 = oracle(cookie_config(ring), name="a2")
    assert_ok(client(a2, ctx, "call", "amend", "call"), ["call", "amend", "call"])


def test_a_node_with_another_ring_refuses_the_token(oracle, tmp_path):
    a = oracle(cookie_config(write_ring(tmp_path, "ring-a", [f"k1 {KEY_OLD}"])), name="a")
    other = oracle(cookie_config(write_ring(tmp_path, "ring-other", [f"k1 {KEY_OTHER}"])), name="other")
    ctx = tmp_path / "ctx.json"
    assert_ok(client(a, ctx, "issue"), ["issue"])
    for step in ("call", "renew", "cancel"):
        r = client(other, ctx, step)
        assert r.returncode == 1, r.stdout + r.stderr
        assert f"{step}: FAILED" in r.stdout and "BadContextToken" in r.stdout, r.stdout
    assert "authentication tag mismatch under key 'k1'" in r.stdout
    assert_ok(client(a, ctx, "call"), ["call"])


def test_rotation_new_key_seals_old_key_still_opens(oracle, tmp_path):
    # The rings come from the project's script, as an operator makes them.
    ring_a = tmp_path / "ring-a"
    gen = f"{ROOT}/scripts/gen-cookie-keyring"
    subprocess.run([gen, ring_a], check=True, capture_output=True, env={"ID": "old", "PATH": "/usr/bin:/bin"})
    ring_b = tmp_path / "ring-b"
    ring_b.write_text(ring_a.read_text())
    subprocess.run([gen, "--rotate", ring_b], check=True, capture_output=True, env={"ID": "new", "PATH": "/usr/bin:/bin"})
    assert [line.split()[0] for line in ring_b.read_text().splitlines() if not line.startswith("#")] == ["new", "old"]
    a = oracle(cookie_config(ring_a), name="a")  # not yet rotated: [old]
    b = oracle(cookie_config(ring_b), name="b")  # rotated: [new, old]
    ctx = tmp_path / "ctx.json"
    assert_ok(client(a, ctx, "issue"), ["issue"])
    assert_ok(client(b, ctx, "call", "renew", "call"), ["call", "renew", "call"])  # B opens "old", seals "new"
    r = client(a, ctx, "call")
    assert r.returncode == 1
    assert "BadContextToken" in r.stdout and "unknown key id 'new' (key ring: old)" in r.stdout, r.stdout


def test_referencing_cases_in_cookie_mode(oracle, tmp_path):
    o = oracle(cookie_config(write_ring(tmp_path, "ring", [f"k1 {KEY_OLD}"])))
    out = tmp_path / "report"
    r = parley("run", "--target", o.profile, "--out", out, "--filter", "wssc/08/*")
    assert r.returncode == 0, r.stdout + r.stderr
    cases = {c["id"]: c for c in json.load(open(out / "report.json"))["cases"]}
    by_id = cases["wssc/08/reference-by-identifier"]
    assert by_id["verdict"] == "NOT_APPLICABLE" and "cookie_mode" in by_id["reason"]
    for case in ("wssc/08/reference-by-id", "wssc/08/unknown-identifier", "wssc/08/instance-selects-key",
                 "wssc/08/wrong-value-type"):
        assert cases[case]["verdict"] == "PASS", case + ": " + cases[case]["reason"]
    mutant = next(x for x in cases["wssc/08/instance-selects-key"]["evidence"]["exchanges"] if x["label"] == "mutant")
    assert "BadContextToken" in mutant["response"]["body"] and "KeyGeneration" in mutant["response"]["body"]
