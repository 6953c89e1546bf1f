"""Reference WIF cookie transforms and ASP.NET MachineKey, written from the published layouts
with Python's `cryptography` (Debian python3-cryptography), `hmac` and `zlib` only.

Nothing here shares code with parley's C++ (harness/wif); agreement between the two is the
evidence that a vector in vectors/wif/ is right. Used by scripts/gen-wif-cookie-vectors to
compute expected values and by test_wif_cookie_vectors.py to re-check every committed vector.
The tests at the bottom check the reference itself against values published elsewhere.

Layouts: docs/design/wif-cookie-transforms.md.
"""
import base64
import hashlib
import hmac
import struct
import zlib

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.kbkdf import KBKDFHMAC, CounterLocation, Mode

MACHINEKEY_PRIMARY = "User.MachineKey.Protect"
WIF_MACHINEKEY_PURPOSE = "System.IdentityModel.Services.MachineKeyTransform"
VALIDATIONS = {
    "HMACSHA1": hashlib.sha1,
    "SHA1": hashlib.sha1,
    "HMACSHA256": hashlib.sha256,
    "HMACSHA384": hashlib.sha384,
    "HMACSHA512": hashlib.sha512,
}
INFLATE_CAP = 1 << 20


class Refused(Exception):
    """The reference refuses the input (the counterpart of a parley error)."""


def decode(text: str) -> bytes:
    if text.startswith("base64:"):
        return base64.b64decode(text[len("base64:"):], validate=True)
    return bytes.fromhex(text)


# --- ASP.NET 4.5 MachineKey ------------------------------------------------------------------

def binary_writer_string(s: str) -> bytes:
    """.NET BinaryWriter.Write(string): 7-bit encoded UTF-8 byte count, then the bytes."""
    data = s.encode("utf-8")
    n = len(data)
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out) + data


def sp800_108(key: bytes, label: bytes, context: bytes, length: int) -> bytes:
    """SP 800-108 counter mode with HMAC-SHA512 via cryptography's KBKDFHMAC (r = L = 32 bits)."""
    kdf = KBKDFHMAC(algorithm=hashes.SHA512(), mode=Mode.CounterMode, length=length, rlen=4, llen=4,
                    location=CounterLocation.BeforeFixed, label=label, context=context, fixed=None)
    return kdf.derive(key)


def machinekey_derive(decryption_key: bytes, validation_key: bytes, purposes):
    """purposes[0] is the primary purpose (the label), the rest the specific purposes (context)."""
    label = purposes[0].encode("utf-8")
    context = b"".join(binary_writer_string(p) for p in purposes[1:])
    return (sp800_108(decryption_key, label, context, len(decryption_key)),
            sp800_108(validation_key, label, context, len(validation_key)))


def _aes_cbc_encrypt(key, iv, data):
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(padded) + enc.finalize()


def _aes_cbc_decrypt(key, iv, data):
    if len(data) == 0 or len(data) % 16:
        raise Refused("ciphertext is not a positive multiple of 16 bytes")
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = dec.update(data) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as e:
        raise Refused("bad padding") from e


def machinekey_protect(decryption_key, validation_key, validation, purposes, data, iv):
    enc_key, val_key = machinekey_derive(decryption_key, validation_key, purposes)
    body = iv + _aes_cbc_encrypt(enc_key, iv, data)
    return body + hmac.new(val_key, body, VALIDATIONS[validation]).digest()


def machinekey_unprotect(decryption_key, validation_key, validation, purposes, blob):
    enc_key, val_key = machinekey_derive(decryption_key, validation_key, purposes)
    mac_len = VALIDATIONS[validation]().digest_size
    if len(blob) - 16 - mac_len <= 0:
        raise Refused("too short")
    body, mac = blob[:-mac_len], blob[-mac_len:]
    if not hmac.compare_digest(hmac.new(val_key, body, VALIDATIONS[validation]).digest(), mac):
        raise Refused("HMAC mismatch")
    return _aes_cbc_decrypt(enc_key, body[:16], body[16:])


# --- WIF RSA transforms ----------------------------------------------------------------------

def _minimal_be(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def dotnet_rsa_xml(public_key) -> str:
    """RSA.ToXmlString(false) as .NET Framework writes it (mscorlib rsa.cs)."""
    nums = public_key.public_numbers()
    return ("<RSAKeyValue><Modulus>" + base64.b64encode(_minimal_be(nums.n)).decode() + "</Modulus><Exponent>" +
            base64.b64encode(_minimal_be(nums.e)).decode() + "</Exponent></RSAKeyValue>")


def rsa_key_hash(public_key) -> bytes:
    return hashlib.sha256(dotnet_rsa_xml(public_key).encode("utf-8")).digest()


_OAEP = asym_padding.OAEP(mgf=asym_padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)


def rsa_encryption_encode(public_key, data: bytes, aes_key: bytes, iv: bytes) -> bytes:
    wrapped = public_key.encrypt(aes_key + iv, _OAEP)
    ct = _aes_cbc_encrypt(aes_key, iv, data)
    return rsa_key_hash(public_key) + struct.pack("<i", len(wrapped)) + wrapped + struct.pack("<i", len(ct)) + ct


def rsa_encryption_decode(private_key, blob: bytes) -> bytes:
    if len(blob) < 36:
        raise Refused("too short")
    key_hash, pos = blob[:32], 32
    (n,) = struct.unpack_from("<i", blob, pos)
    pos += 4
    if n < 0 or n > len(blob) - pos:
        raise Refused("bad key length")
    wrapped, pos = blob[pos:pos + n], pos + n
    if len(blob) - pos < 4:
        raise Refused("truncated")
    (m,) = struct.unpack_from("<i", blob, pos)
    pos += 4
    if m < 0 or m > len(blob) - pos:
        raise Refused("bad data length")
    ct, pos = blob[pos:pos + m], pos + m
    if pos != len(blob):
        raise Refused("trailing bytes")
    if key_hash != rsa_key_hash(private_key.public_key()):
        raise Refused("key hash does not match")
    try:
        key_iv = private_key.decrypt(wrapped, _OAEP)
    except ValueError as e:
        raise Refused("OAEP") from e
    if len(key_iv) != 48:
        raise Refused("key and IV length")
    return _aes_cbc_decrypt(key_iv[:32], key_iv[32:], ct)


def rsa_signature_encode(private_key, data: bytes) -> bytes:
    sig = private_key.sign(data, asym_padding.PKCS1v15(), hashes.SHA256())
    return struct.pack("<i", len(sig)) + sig + data


def rsa_signature_decode(public_key, blob: bytes) -> bytes:
    if len(blob) < 4:
        raise Refused("too short")
    (n,) = struct.unpack_from("<i", blob, 0)
    if n < 0 or n >= len(blob) - 4:
        raise Refused("bad signature length")
    sig, payload = blob[4:4 + n], blob[4 + n:]
    try:
        public_key.verify(sig, payload, asym_padding.PKCS1v15(), hashes.SHA256())
    except Exception as e:  # cryptography.exceptions.InvalidSignature
        raise Refused("signature does not verify") from e
    return payload


# --- parley's AEAD format and DEFLATE ---------------------------------------------------------

def aead_encode(key_id: str, key: bytes, nonce: bytes, data: bytes) -> bytes:
    header = bytes([1, len(key_id)]) + key_id.encode("ascii")
    return header + nonce + AESGCM(key).encrypt(nonce, data, header)


def aead_decode(keys: dict, blob: bytes) -> bytes:
    if len(blob) < 2 or blob[0] != 1 or blob[1] == 0:
        raise Refused("header")
    n = blob[1]
    header = blob[:2 + n]
    if len(blob) < 2 + n + 12 + 16:
        raise Refused("too short")
    key_id = header[2:].decode("ascii", "replace")
    if key_id not in keys:
        raise Refused("unknown key id")
    try:
        return AESGCM(keys[key_id]).decrypt(blob[2 + n:14 + n], blob[14 + n:], header)
    except Exception as e:  # InvalidTag
        raise Refused("tag") from e


def inflate(blob: bytes, cap: int = INFLATE_CAP) -> bytes:
    d = zlib.decompressobj(-15)
    try:
        out = d.decompress(blob, cap + 1)
    except zlib.error as e:
        raise Refused("corrupt") from e
    if len(out) > cap:
        raise Refused("inflated size exceeds cap")
    if not d.eof:
        raise Refused("truncated")
    if d.unused_data:
        raise Refused("trailing bytes")
    return out


def load_private_key(pem: str):
    return serialization.load_pem_private_key(pem.encode(), password=None)


def load_public_key(pem: str):
    if "PRIVATE KEY" in pem:
        return load_private_key(pem).public_key()
    return serialization.load_pem_public_key(pem.encode())


# --- checks of the reference itself ------------------------------------------------------------

def test_binary_writer_string_7bit_length():
    assert binary_writer_string("a") == b"\x01a"
    assert binary_writer_string(WIF_MACHINEKEY_PURPOSE)[:1] == b"\x31"  # 49 bytes
    assert binary_writer_string("x" * 200)[:2] == b"\xc8\x01"
    assert binary_writer_string("\u00e9")[:1] == b"\x02"  # the UTF-8 byte count, not chars


def test_sp800_108_matches_the_written_out_reference():
    # cryptography's KBKDFHMAC against reference_kdf.py (hmac loop): two Python implementations.
    import reference_kdf
    key = bytes(range(32))
    label = MACHINEKEY_PRIMARY.encode()
    context = binary_writer_string(WIF_MACHINEKEY_PURPOSE)
    for length in (16, 24, 32, 64, 65, 100):
        assert sp800_108(key, label, context, length) == reference_kdf.kbkdf_hmac_sha512(key, label, context, length)
    # vectors/kbkdf_hmac_sha512.json #1.
    assert sp800_108(key, label, context, 16).hex() == "8f8fd847b01326e8ac4348d84dcea713"


def test_machinekey_round_trip_and_tamper():
    dk, vk = bytes(range(32)), bytes(range(64))
    purposes = [MACHINEKEY_PRIMARY, WIF_MACHINEKEY_PURPOSE]
    blob = machinekey_protect(dk, vk, "HMACSHA256", purposes, b"hello", bytes(16))
    assert len(blob) == 16 + 16 + 32
    assert machinekey_unprotect(dk, vk, "HMACSHA256", purposes, blob) == b"hello"
    bad = blob[:20] + bytes([blob[20] ^ 1]) + blob[21:]
    try:
        machinekey_unprotect(dk, vk, "HMACSHA256", purposes, bad)
        raise AssertionError("tampering not detected")
    except Refused:
        pass


def test_inflate_cap():
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = bomb.compress(bytes(INFLATE_CAP + 1)) + bomb.flush()
    try:
        inflate(data)
        raise AssertionError("bomb accepted")
    except Refused:
        pass
    ok = zlib.compressobj(9, zlib.DEFLATED, -15)
    assert len(inflate(ok.compress(bytes(INFLATE_CAP)) + ok.flush())) == INFLATE_CAP
