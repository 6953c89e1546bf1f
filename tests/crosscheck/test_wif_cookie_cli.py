"""`parley machinekey` and `parley cookie` output checked by the Python reference, and Python's
output fed to parley: randomized encodings (random IVs, RSA-OAEP) cannot be vectors, so they are
cross-checked here, in both directions. Needs the built binary (PARLEY_BIN); skipped without it.
"""
import base64
import json
import os
import re
import secrets
import subprocess

import pytest

import test_wif_cookie_reference as ref

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PARLEY = os.environ.get("PARLEY_BIN", os.path.join(ROOT, "build", "bin", "parley"))
pytestmark = pytest.mark.skipif(not os.path.exists(PARLEY), reason=f"no parley binary at {PARLEY}")

DK = bytes(range(32))
VK = bytes(range(64))
WIF = [ref.MACHINEKEY_PRIMARY, ref.WIF_MACHINEKEY_PURPOSE]
MK_ARGS = ["--decryption-key", DK.hex(), "--validation-key", VK.hex()]
TOKEN = {
    "id": "_6a9e1f7c-4a57-4b5c-9d1e-2f3a4b5c6d7e-1",
    "context_id": "urn:uuid:6a9e1f7c-4a57-4b5c-9d1e-2f3a4b5c6d7e",
    "key": "AAECAwQFBgcICQoLDA0ODw==",
    "effective_time": "2024-01-02T03:04:05.0000000Z",
    "expiry_time": "2024-01-02T13:04:05.0000000Z",
    "key_effective_time": "2024-01-02T03:04:05.0000000Z",
    "key_expiry_time": "2024-01-02T13:04:05.0000000Z",
    "identities": [{"authentication_type": "Federation", "claims": [
        {"type": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "value": "alice",
         "value_type": "http://www.w3.org/2001/XMLSchema#string", "issuer": "https://sts.example/",
         "original_issuer": "https://sts.example/", "properties": []}]}],
}


def parley(*args, stdin=""):
    return subprocess.run([PARLEY, *args], input=stdin, capture_output=True, text=True, timeout=120)


def key_file(tmp_path, pem, name):
    path = tmp_path / name
    path.write_text(pem)
    return str(path)


def set_cookie_value(text, name="FedAuth"):
    """WIF chunks from Set-Cookie lines: name, name1, name2, ... concatenated."""
    values = dict(re.findall(r"^Set-Cookie: ([^=]+)=([^;]*)", text, re.M))
    out, i = "", 0
    while (name if i == 0 else f"{name}{i}") in values:
        out += values[name if i == 0 else f"{name}{i}"]
        i += 1
    return out


def inner_cookie(value):
    """The <Cookie> bytes of the SecurityContextToken XML the cookie value carries."""
    xml = base64.b64decode(value).decode("utf-8-sig")
    m = re.search(r"<Cookie[^>]*>([^<]*)</Cookie>", xml)
    assert m, xml
    return xml, base64.b64decode(m.group(1))


def with_inner_cookie(xml, blob):
    """The same SCT XML with another <Cookie> content, as a cookie value."""
    new = re.sub(r"(<Cookie[^>]*>)[^<]*(</Cookie>)", lambda m: m.group(1) + base64.b64encode(blob).decode() + m.group(2), xml)
    return base64.b64encode(b"\xef\xbb\xbf" + new.encode("utf-8")).decode()


# --- machinekey ---------------------------------------------------------------------------------

def test_machinekey_protect_random_iv_is_unprotected_by_python():
    data = secrets.token_bytes(100)
    r = parley("machinekey", "protect", *MK_ARGS, "--purpose", WIF[0], "--purpose", WIF[1], stdin=data.hex())
    assert r.returncode == 0, r.stderr
    assert ref.machinekey_unprotect(DK, VK, "HMACSHA256", WIF, bytes.fromhex(r.stdout.strip())) == data


@pytest.mark.parametrize("validation", ["SHA1", "HMACSHA256", "HMACSHA384", "HMACSHA512"])
def test_python_protect_is_unprotected_by_parley(validation):
    data = secrets.token_bytes(33)
    blob = ref.machinekey_protect(DK, VK, validation, WIF, data, secrets.token_bytes(16))
    r = parley("machinekey", "unprotect", *MK_ARGS, "--validation", validation, "--purpose", WIF[0], "--purpose", WIF[1],
               stdin=blob.hex())
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == data.hex()


def test_machinekey_fixed_iv_and_errors():
    r = parley("machinekey", "protect", *MK_ARGS, "--purpose", WIF[0], "--purpose", WIF[1],
               "--iv", "808182838485868788898a8b8c8d8e8f", stdin="68656c6c6f\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ref.machinekey_protect(DK, VK, "HMACSHA256", WIF, b"hello", bytes(range(0x80, 0x90))).hex()
    bad = bytearray(bytes.fromhex(r.stdout.strip()))
    bad[20] ^= 1
    r = parley("machinekey", "unprotect", *MK_ARGS, "--purpose", WIF[0], "--purpose", WIF[1], stdin=bad.hex())
    assert r.returncode == 2
    assert r.stderr.startswith("parley: error: MachineKey: HMAC mismatch")
    assert r.stdout == ""
    r = parley("machinekey", "protect", *MK_ARGS, "--purpose", "x", "--decryption", "3DES", stdin="00")
    assert r.returncode == 2 and "DES and 3DES are not" in r.stderr


# --- cookie -------------------------------------------------------------------------------------

def decode_token(*args, stdin):
    r = parley("cookie", "decode", *args, stdin=stdin)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_cookie_deflate_machinekey_both_ways():
    r = parley("cookie", "encode", "--transform", "deflate", "--transform", "machinekey", *MK_ARGS, stdin=json.dumps(TOKEN))
    assert r.returncode == 0, r.stderr
    xml, blob = inner_cookie(set_cookie_value(r.stdout))
    assert "<Identifier>urn:uuid:6a9e1f7c-4a57-4b5c-9d1e-2f3a4b5c6d7e</Identifier>" in xml
    payload = ref.inflate(ref.machinekey_unprotect(DK, VK, "HMACSHA256", WIF, blob))  # Python undoes parley's transforms
    assert payload[:1] == b"\x00"  # [MS-NRBF] SerializationHeaderRecord: WIF's BinaryFormatter frame

    # Python redoes the transforms with its own random IV; parley must decode the same token.
    c = ref.zlib.compressobj(9, ref.zlib.DEFLATED, -15)
    again = ref.machinekey_protect(DK, VK, "HMACSHA256", WIF, c.compress(payload) + c.flush(), secrets.token_bytes(16))
    value = with_inner_cookie(xml, again)
    out = decode_token("--transform", "deflate", "--transform", "machinekey", *MK_ARGS, "--input-format", "value",
                       stdin=value)
    assert out["transforms"] == ["Deflate", "MachineKey"]
    assert out["token"]["context_id"] == TOKEN["context_id"]
    assert out["token"]["identities"][0]["claims"][0]["value"] == "alice"


def test_cookie_rsa_both_ways(tmp_path):
    pem = key_file(tmp_path, ref_key_pem(), "rp.pem")
    key = ref.load_private_key(ref_key_pem())
    r = parley("cookie", "encode", "--transform", "deflate", "--transform", "rsa", "--rsa-key", pem, stdin=json.dumps(TOKEN))
    assert r.returncode == 0, r.stderr
    xml, blob = inner_cookie(set_cookie_value(r.stdout))
    payload = ref.inflate(ref.rsa_encryption_decode(key, ref.rsa_signature_decode(key.public_key(), blob)))
    assert payload[:1] == b"\x00"

    c = ref.zlib.compressobj(9, ref.zlib.DEFLATED, -15)
    again = ref.rsa_signature_encode(key, ref.rsa_encryption_encode(
        key.public_key(), c.compress(payload) + c.flush(), secrets.token_bytes(32), secrets.token_bytes(16)))
    header = "Cookie: FedAuth=" + with_inner_cookie(xml, again) + "; other=1"
    out = decode_token("--transform", "deflate", "--transform", "rsa", "--rsa-key", pem, stdin=header)
    assert out["transforms"] == ["Deflate", "RsaEncryption", "RsaSignature"]
    assert out["token"]["id"] == TOKEN["id"]


def test_cookie_aead_both_ways():
    k1, k2 = bytes(range(0x40, 0x60)), bytes(range(0x60, 0x80))
    ring = ["--aead-key", "k1=" + k1.hex(), "--aead-key", "k2=" + k2.hex()]
    r = parley("cookie", "encode", "--transform", "aead", *ring, "--output", "value", stdin=json.dumps(TOKEN))
    assert r.returncode == 0, r.stderr
    xml, blob = inner_cookie(r.stdout.strip())
    assert blob[:4] == b"\x01\x02k2"  # newest key
    payload = ref.aead_decode({"k1": k1, "k2": k2}, blob)
    old = ref.aead_encode("k1", k1, secrets.token_bytes(12), payload)
    out = decode_token("--transform", "aead", *ring, "--input-format", "value", stdin=with_inner_cookie(xml, old))
    assert out["token"]["context_id"] == TOKEN["context_id"]


def test_cookie_decode_errors_are_one_line_exit_2():
    r = parley("cookie", "encode", "--transform", "deflate", "--transform", "machinekey", *MK_ARGS, stdin=json.dumps(TOKEN))
    other = ["--decryption-key", DK.hex(), "--validation-key", bytes(64).hex()]
    r = parley("cookie", "decode", "--transform", "deflate", "--transform", "machinekey", *other, stdin=r.stdout)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("parley: error: MachineKey: HMAC mismatch")
    r = parley("cookie", "decode", "--transform", "deflate", stdin="other=1")
    assert r.returncode == 2 and "no cookie named 'FedAuth'" in r.stderr


def ref_key_pem():
    # The first RSA test key of scripts/gen-wif-cookie-vectors (also in vectors/wif/cookie_transforms.json).
    with open(os.path.join(ROOT, "vectors", "wif", "cookie_transforms.json"), encoding="utf-8") as f:
        for t in json.load(f)["tests"]:
            for pem in t["inputs"].get("rsa_keys", []):
                if "PRIVATE KEY" in pem:
                    return pem
    raise AssertionError("no RSA private key in the vectors")
