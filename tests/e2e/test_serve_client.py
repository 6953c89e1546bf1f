"""`parley serve` and `parley client` as users run them: real processes, real HTTP(S) on loopback."""
import subprocess

import pytest

from conftest import ROOT, parley

STEPS = ["issue", "call", "renew", "call", "amend", "cancel"]


def assert_all_ok(result, steps):
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == steps
    assert all(": ok" in line for line in lines), result.stdout


@pytest.mark.parametrize("soap", ["1.1", "1.2"])
@pytest.mark.parametrize("sc", ["feb2005", "1.3"])
def test_lifecycle_every_version(oracle, soap, sc):
    o = oracle(f'[wssc]\nsoap = "{soap}"\nsc_version = "{sc}"\naddressing = "{"2004/08" if sc == "feb2005" else "1.0"}"\n')
    r = parley("client", "--target", o.profile, *STEPS)
    assert_all_ok(r, STEPS)
    assert "<e:Echo xmlns:e=\"urn:example\">hi</e:Echo>" in r.stdout


@pytest.mark.parametrize("protection", ["derived-keys", "sct-key"])
@pytest.mark.parametrize("encrypt", [False, True])
def test_derived_keys_and_direct_key(oracle, tmp_path, protection, encrypt):
    o = oracle("")
    profile = o.profile.read_text().replace('protection = "derived-keys"', f'protection = "{protection}"')
    p = tmp_path / "p.toml"
    p.write_text(profile)
    args = ["client", "--target", p] + (["--encrypt"] if encrypt else []) + ["issue", "call", "cancel"]
    r = parley(*args)
    assert_all_ok(r, ["issue", "call", "cancel"])


def test_digest_username_token(oracle):
    o = oracle('[wssc]\nbootstrap = "username-token"\n[users]\nalice = "wonderland"\n')
    r = parley("client", "--target", o.profile, *STEPS)
    assert_all_ok(r, STEPS)


def test_wrong_password_is_a_failed_step_with_the_fault(oracle, tmp_path):
    o = oracle('[wssc]\nbootstrap = "username-token"\n[users]\nalice = "wonderland"\n')
    p = tmp_path / "wrong.toml"
    p.write_text(o.profile.read_text().replace('password = "wonderland"', 'password = "nope"'))
    r = parley("client", "--target", p, "issue")
    assert r.returncode == 1
    assert "issue: FAILED" in r.stdout and "FailedAuthentication" in r.stdout


def test_password_text_over_tls(oracle, tmp_path):
    pki = tmp_path / "pki"
    subprocess.run([f"{ROOT}/scripts/gen-certs", str(pki)], check=True, capture_output=True)
    o = oracle(f'[server]\ntls = true\ncertificate = "{pki}/server.pem"\nprivate_key = "{pki}/server.key"\n'
               '[wssc]\nbootstrap = "username-token"\n[users]\nalice = "wonderland"\n')
    assert o.url.startswith("https://")
    p = tmp_path / "text.toml"
    p.write_text(o.profile.read_text().replace('[credentials]\n', '[credentials]\npassword_digest = false\n'))
    r = parley("client", "--target", p, "--ca", pki / "ca.pem", *STEPS)
    assert_all_ok(r, STEPS)
    # Verification is on by default: without the CA the TLS handshake fails and the exit code is 3.
    r = parley("client", "--target", p, "issue")
    assert r.returncode == 3, r.stdout + r.stderr
    assert "issue: FAILED" in r.stdout


def test_preshared_sct(oracle):
    o = oracle('[wssc]\nbootstrap = "preshared-sct"\n[preshared]\n'
               'identifier = "urn:uuid:00000000-0000-4000-8000-0000000000aa"\n'
               'key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"\n')
    r = parley("client", "--target", o.profile, "issue", "call", "call")
    assert_all_ok(r, ["issue", "call", "call"])


def test_unreachable_target_exits_3(tmp_path):
    p = tmp_path / "nowhere.toml"
    p.write_text('[wssc]\nservice_url = "http://127.0.0.1:9/service"\n')
    r = parley("client", "--target", p, "issue")
    assert r.returncode == 3
    assert "issue: FAILED" in r.stdout


def test_bad_config_is_usage_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[wssc]\nsoap = "1.3"\n')
    r = parley("serve", "--config", bad)
    assert r.returncode == 2
    assert r.stderr.startswith("parley: error: ") and "wssc.soap" in r.stderr
    r = parley("client", "--target", bad, "issue")
    assert r.returncode == 2


def test_print_profile_and_help():
    r = parley("serve", "--help")
    assert r.returncode == 0 and "--print-profile" in r.stdout
    r = parley("client", "--help")
    assert r.returncode == 0 and "issue" in r.stdout
