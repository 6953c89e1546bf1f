"""`parley derive` and `parley --help` as a user runs them: the built binary, stdout, exit codes."""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PARLEY = os.environ.get("PARLEY_BIN", os.path.join(ROOT, "build", "bin", "parley"))

SECRET = bytes(range(32)).hex()
NONCE = bytes(range(0x80, 0x90)).hex()


def parley(*args):
    return subprocess.run([PARLEY, *args], capture_output=True, text=True, timeout=60)


def test_p_sha1_catalog_known_answer():
    r = parley("derive", "p-sha1", "--secret", SECRET, "--nonce", NONCE)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "9512a4ae433928e6d24bb0c59d52e622fafe33a389b85d3ba60c6ec0abe9bc1e\n"


def test_p_sha1_generation_and_length():
    r = parley("derive", "p-sha1", "--secret", SECRET, "--nonce", NONCE, "--generation", "1", "--length", "32")
    assert r.stdout.strip() == "2dd3247301217e5cf7893c11cd6fe37caaacb0240a0f6a2710c4072ddcdad76f"
    r = parley("derive", "p-sha1", "--secret", SECRET, "--nonce", NONCE, "--offset", "32")
    assert r.stdout.strip() == "2dd3247301217e5cf7893c11cd6fe37caaacb0240a0f6a2710c4072ddcdad76f"
    r = parley("derive", "p-sha1", "--secret", SECRET, "--nonce", NONCE, "--length", "16")
    assert r.stdout.strip() == "9512a4ae433928e6d24bb0c59d52e622"


def test_p_sha1_base64_input_and_output():
    import base64
    r = parley("derive", "p-sha1", "--secret", "base64:" + base64.b64encode(bytes(range(32))).decode(),
               "--nonce", "base64:" + base64.b64encode(bytes(range(0x80, 0x90))).decode(), "--output", "base64")
    assert r.returncode == 0, r.stderr
    assert base64.b64decode(r.stdout.strip()).hex() == \
        "9512a4ae433928e6d24bb0c59d52e622fafe33a389b85d3ba60c6ec0abe9bc1e"


def test_ck_psha1_catalog_known_answer():
    r = parley("derive", "ck-psha1", "--requestor-entropy", "01" * 32, "--issuer-entropy", "02" * 32,
               "--key-size", "256")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "e7dee695899af2c5b5603c57cc0bbfb1cef01b0c5b4c1f113a95b064cebd65ed\n"


@pytest.mark.parametrize("args, message", [
    (["--secret", "abc", "--nonce", NONCE], "--secret: hex: odd number of hex digits (3)"),
    (["--secret", SECRET, "--nonce", "zz"], "--nonce: hex: not a hex digit: 'z' at position 0"),
    (["--secret", SECRET, "--nonce", NONCE, "--offset", "0", "--generation", "1"], "excludes"),
    (["--secret", SECRET, "--nonce", NONCE, "--length", "0"], "--length: must be at least 1 byte"),
    (["--secret", SECRET, "--nonce", NONCE, "--length", "4294967296"], "beyond parley's limit"),
    (["--secret", SECRET, "--nonce", NONCE, "--length", "-1"], "--length: '-1' is not a non-negative integer"),
    (["--secret", SECRET, "--nonce", NONCE, "--offset", "99999999"], "exceeds the limit"),
    (["--secret", SECRET, "--nonce", NONCE, "--generation", "18446744073709551615"], "overflows 64 bits"),
    (["--secret", SECRET, "--nonce", "", "--label", ""], "seed is empty"),
    (["--nonce", NONCE], "--secret is required"),
    (["--secret", "base64:@@@@", "--nonce", NONCE], "--secret: base64: not a base64 character"),
])
def test_p_sha1_bad_input_is_one_line_and_exit_2(args, message):
    r = parley("derive", "p-sha1", *args)
    assert r.returncode == 2
    assert r.stdout == ""
    first = r.stderr.splitlines()[0]
    assert first.startswith("parley: error: ")
    assert message in first


def test_ck_psha1_bad_key_size():
    r = parley("derive", "ck-psha1", "--requestor-entropy", "01", "--issuer-entropy", "02", "--key-size", "100")
    assert r.returncode == 2
    assert "multiple of 8" in r.stderr


def test_help_reads_well():
    r = parley("--help")
    assert r.returncode == 0
    assert "derive" in r.stdout and "vectors" in r.stdout and "Exit codes" in r.stdout
    r = parley("derive", "--help")
    assert r.returncode == 0
    assert "p-sha1" in r.stdout and "ck-psha1" in r.stdout and "9512a4ae" in r.stdout
    r = parley("derive", "p-sha1", "--help")
    assert "--generation" in r.stdout and "WS-SecureConversationWS-SecureConversation" in r.stdout


def test_unknown_subcommand_is_usage_error():
    r = parley("frobnicate")
    assert r.returncode == 2
    assert r.stderr.startswith("parley: error: ")


def test_vectors_verify_counts_and_mismatch(tmp_path):
    r = parley("vectors", "verify", os.path.join(ROOT, "vectors"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "PASS p_sha1.json (P_SHA1): 46/46 vectors" in r.stdout
    assert r.stdout.strip().splitlines()[-1].endswith(" 0 failed")
    # A corrupted expected value is reported by id and fails the run.
    import json
    doc = json.load(open(os.path.join(ROOT, "vectors", "p_sha1.json")))
    doc["tests"][0]["expected"]["key"] = "00" * 32
    (tmp_path / "p_sha1.json").write_text(json.dumps(doc))
    r = parley("vectors", "verify", str(tmp_path))
    assert r.returncode == 1
    assert "FAIL p_sha1.json" in r.stdout and "#1 " in r.stdout and '"key": expected' in r.stdout
    # A file that breaks the schema is a usage error naming the field.
    doc["tests"][0]["flags"] = ["NoSuchFlag"]
    (tmp_path / "p_sha1.json").write_text(json.dumps(doc))
    r = parley("vectors", "verify", str(tmp_path))
    assert r.returncode == 2
    assert "NoSuchFlag" in r.stderr and "not explained" in r.stderr
