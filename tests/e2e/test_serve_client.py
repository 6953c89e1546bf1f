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


@pytest.fixture
def pki(tmp_path):
    """scripts/gen-certs' throw-away PKI: ca, server, client, expired-client, untrusted-ca/-client."""
    d = tmp_path / "pki"
    subprocess.run([f"{ROOT}/scripts/gen-certs", str(d)], check=True, capture_output=True)
    return d


def certificate_oracle(oracle, pki, bootstrap, extra=""):
    return oracle(f'[wssc]\nbootstrap = "{bootstrap}"\n{extra}[users]\nalice = "wonderland"\n'
                  f'[message_security]\ncertificate = "{pki}/server.pem"\nprivate_key = "{pki}/server.key"\n'
                  f'trusted_ca = "{pki}/ca.pem"\n')


def with_client_certificate(profile, tmp_path, pki, name="client"):
    """The printed profile plus the client's own certificate (x509-mutual), relative paths."""
    text = profile.read_text()
    assert f'service_certificate_file = "{pki}/server.pem"' in text
    p = pki / f"profile-{name}.toml"
    p.write_text(text.replace("[credentials]\n", f'[credentials]\nclient_certificate_file = "{name}.pem"\n'
                                                  f'client_key_file = "{name}.key"\n'))
    return p


CERTIFICATE_BOOTSTRAPS = ["x509-mutual", "anonymous-for-certificate", "username-for-certificate"]
LIFECYCLE = ["issue", "call", "renew", "call", "cancel"]


@pytest.mark.parametrize("bootstrap", CERTIFICATE_BOOTSTRAPS)
@pytest.mark.parametrize("suite", ["Basic256", "Basic256Sha256"])
def test_certificate_bootstraps(oracle, tmp_path, pki, bootstrap, suite):
    o = certificate_oracle(oracle, pki, bootstrap, f'algorithm_suite = "{suite}"\n')
    text = o.profile.read_text()
    assert f'bootstrap = "{bootstrap}"' in text and f'algorithm_suite = "{suite}"' in text
    profile = with_client_certificate(o.profile, tmp_path, pki) if bootstrap == "x509-mutual" else o.profile
    r = parley("client", "--target", profile, *LIFECYCLE)
    assert_all_ok(r, LIFECYCLE)
    assert "<e:Echo xmlns:e=\"urn:example\">hi</e:Echo>" in r.stdout


def test_x509_mutual_without_the_client_certificate_is_a_usage_error(oracle, pki):
    o = certificate_oracle(oracle, pki, "x509-mutual")
    r = parley("client", "--target", o.profile, "issue")
    assert r.returncode == 2
    assert "needs client_certificate_file and client_key_file" in r.stderr


@pytest.mark.parametrize("name,fault,reason", [
    ("untrusted-client", "FailedAuthentication", "unable to get local issuer certificate"),
    ("expired-client", "InvalidSecurityToken", "certificate has expired"),
])
def test_x509_mutual_refuses_untrusted_and_expired_certificates(oracle, tmp_path, pki, name, fault, reason):
    o = certificate_oracle(oracle, pki, "x509-mutual")
    r = parley("client", "--target", with_client_certificate(o.profile, tmp_path, pki, name), "issue")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "issue: FAILED" in r.stdout and fault in r.stdout and reason in r.stdout, r.stdout


def test_username_for_certificate_wrong_password(oracle, tmp_path, pki):
    o = certificate_oracle(oracle, pki, "username-for-certificate")
    p = tmp_path / "wrong.toml"
    p.write_text(o.profile.read_text().replace('password = "wonderland"', 'password = "nope"'))
    r = parley("client", "--target", p, "issue")
    assert r.returncode == 1
    assert "issue: FAILED" in r.stdout and "FailedAuthentication" in r.stdout


def test_encrypting_to_another_certificate_is_refused(oracle, tmp_path, pki):
    o = certificate_oracle(oracle, pki, "anonymous-for-certificate")
    p = tmp_path / "other.toml"
    p.write_text(o.profile.read_text().replace(f"{pki}/server.pem", f"{pki}/client.pem"))
    r = parley("client", "--target", p, "issue")
    assert r.returncode == 1
    assert "SecurityTokenUnavailable" in r.stdout and "CN=localhost" in r.stdout, r.stdout


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
