"""Every MachineKey and cookie-transform vector in vectors/wif/, recomputed or verified by the
reference in test_wif_cookie_reference.py (Python cryptography / hmac / zlib; no parley code).

Valid vectors: the reference must produce `expected` exactly. Invalid vectors: the reference
must refuse the input as well, so a vector that only parley refuses cannot land.
"""
import hashlib
import json
import os
import secrets

import pytest

import test_wif_cookie_reference as ref

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = os.path.join(ROOT, "vectors", "wif")


def load(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)


def cases(name):
    return [pytest.param(t, id=f"{name}#{t['id']}") for t in load(name)["tests"]]


# --- ASPNET_MACHINEKEY -------------------------------------------------------------------------

def machinekey_run(i):
    dk, vk = ref.decode(i["decryption_key"]), ref.decode(i["validation_key"])
    validation = i.get("validation", "HMACSHA256")
    purposes = i.get("purposes", [ref.MACHINEKEY_PRIMARY, ref.WIF_MACHINEKEY_PURPOSE])
    if validation.upper() not in ref.VALIDATIONS or len(dk) not in (16, 24, 32) or not vk:
        raise ref.Refused("configuration")
    if any(not p.strip() for p in purposes):
        raise ref.Refused("white-space purpose")
    validation = validation.upper()
    data = ref.decode(i["data"])
    if i["operation"] == "protect":
        out = ref.machinekey_protect(dk, vk, validation, purposes, data, ref.decode(i["iv"]))
    else:
        out = ref.machinekey_unprotect(dk, vk, validation, purposes, data)
    enc, val = ref.machinekey_derive(dk, vk, purposes)
    return {"output": out.hex(), "derived_encryption_key": enc.hex(), "derived_validation_key": val.hex()}


@pytest.mark.parametrize("vec", cases("machinekey.json"))
def test_machinekey(vec):
    if vec["result"] == "valid":
        got = machinekey_run(vec["inputs"])
        for field, want in vec["expected"].items():
            assert got[field] == want, field
    else:
        with pytest.raises(ref.Refused):
            machinekey_run(vec["inputs"])


# --- WIF_COOKIE_TRANSFORM ----------------------------------------------------------------------

class Transform:
    def __init__(self, name, i):
        self.name, self.i = name, i

    def _keys(self):
        return [ref.load_private_key(p) if "PRIVATE KEY" in p else ref.load_public_key(p) for p in self.i["rsa_keys"]]

    def _mk(self):
        i = self.i
        return (ref.decode(i["decryption_key"]), ref.decode(i["validation_key"]), i.get("validation", "HMACSHA256").upper(),
                i.get("purposes", [ref.MACHINEKEY_PRIMARY, ref.WIF_MACHINEKEY_PURPOSE]))

    def encode(self, data, deterministic=True):
        if self.name == "deflate":
            import zlib
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            return c.compress(data) + c.flush()
        if self.name == "rsa_signature":
            return ref.rsa_signature_encode(self._keys()[0], data)
        if self.name == "rsa_encryption":
            key = self._keys()[0]
            pub = key.public_key() if hasattr(key, "public_key") else key
            return ref.rsa_encryption_encode(pub, data, secrets.token_bytes(32), secrets.token_bytes(16))
        if self.name == "machinekey":
            dk, vk, validation, purposes = self._mk()
            iv = ref.decode(self.i["iv"]) if "iv" in self.i else secrets.token_bytes(16)
            return ref.machinekey_protect(dk, vk, validation, purposes, data, iv)
        if self.name == "aead":
            newest = self.i["aead_keys"][-1]
            nonce = ref.decode(self.i["nonce"]) if "nonce" in self.i else secrets.token_bytes(12)
            return ref.aead_encode(newest["id"], ref.decode(newest["key"]), nonce, data)
        raise AssertionError(self.name)

    def decode(self, blob):
        if self.name == "deflate":
            return ref.inflate(blob, self.i.get("max_decompressed_size", ref.INFLATE_CAP))
        if self.name == "rsa_signature":
            last = None
            for key in self._keys():
                pub = key.public_key() if hasattr(key, "public_key") else key
                try:
                    return ref.rsa_signature_decode(pub, blob)
                except ref.Refused as e:
                    last = e
            raise last
        if self.name == "rsa_encryption":
            for key in self._keys():
                if blob[:32] == ref.rsa_key_hash(key.public_key()):
                    return ref.rsa_encryption_decode(key, blob)
            raise ref.Refused("no key matches the key hash")
        if self.name == "machinekey":
            dk, vk, validation, purposes = self._mk()
            return ref.machinekey_unprotect(dk, vk, validation, purposes, blob)
        if self.name == "aead":
            return ref.aead_decode({k["id"]: ref.decode(k["key"]) for k in self.i["aead_keys"]}, blob)
        raise AssertionError(self.name)


def transform_run(i):
    pipeline = [Transform(n, i) for n in i["transforms"]]
    data = ref.decode(i["input"])
    if i["direction"] in ("encode", "roundtrip"):
        for t in pipeline:
            data = t.encode(data)
    if i["direction"] in ("decode", "roundtrip"):
        for t in reversed(pipeline):
            data = t.decode(data)
    return {"output": data.hex(), "output_size": len(data), "output_sha256": hashlib.sha256(data).hexdigest()}


@pytest.mark.parametrize("vec", cases("cookie_transforms.json"))
def test_cookie_transform(vec):
    i = vec["inputs"]
    if vec["result"] == "valid":
        if i["direction"] == "encode":
            # Only deterministic encodings are committed as encode vectors.
            assert "rsa_encryption" not in i["transforms"] and "deflate" not in i["transforms"]
        got = transform_run(i)
        for field, want in vec["expected"].items():
            assert got[field] == want, field
    else:
        with pytest.raises(ref.Refused):
            transform_run(i)


def test_files_cover_every_transform_and_both_outcomes():
    machinekey = load("machinekey.json")["tests"]
    transforms = load("cookie_transforms.json")["tests"]
    assert {t["result"] for t in machinekey} == {"valid", "invalid"}
    used = {name for t in transforms for name in t["inputs"]["transforms"]}
    assert used == {"deflate", "rsa_encryption", "rsa_signature", "machinekey", "aead"}
    for name in used:
        outcomes = {t["result"] for t in transforms if name in t["inputs"]["transforms"]}
        assert outcomes == {"valid", "invalid"}, name
