"""Reference key derivations written out in Python (hmac / hashlib only).

They share no code with parley's C++ (OpenSSL EVP_KDF), so agreement between the two is
evidence that a vector is right. Used by scripts/gen-kdf-vectors to compute expected values
and by test_kdf_vectors.py to re-check every committed vector.
"""
import hashlib
import hmac

DEFAULT_LABEL = "WS-SecureConversationWS-SecureConversation"


def p_sha1(secret: bytes, seed: bytes, offset: int, length: int) -> bytes:
    """TLS 1.0 P_hash with HMAC-SHA1 (RFC 2246 section 5): A(0)=seed, A(i)=HMAC(secret, A(i-1))."""
    out = b""
    a = seed
    while len(out) < offset + length:
        a = hmac.new(secret, a, hashlib.sha1).digest()
        out += hmac.new(secret, a + seed, hashlib.sha1).digest()
    return out[offset:offset + length]


def ck_psha1(requestor: bytes, issuer: bytes, key_size_bits: int) -> bytes:
    """WS-Trust 1.3 section 4.4.4: P_SHA1(requestor entropy, issuer entropy), first KeySize/8 bytes."""
    return p_sha1(requestor, issuer, 0, key_size_bits // 8)


def kbkdf_hmac_sha512(key: bytes, label: bytes, context: bytes, length: int) -> bytes:
    """NIST SP 800-108 counter mode: block i = HMAC(key, BE32(i) | label | 0x00 | context | BE32(L))."""
    out = b""
    i = 1
    while len(out) < length:
        block = i.to_bytes(4, "big") + label + b"\x00" + context + (length * 8).to_bytes(4, "big")
        out += hmac.new(key, block, hashlib.sha512).digest()
        i += 1
    return out[:length]


def decode(text: str) -> bytes:
    if text.startswith("base64:"):
        import base64
        return base64.b64decode(text[len("base64:"):], validate=True)
    return bytes.fromhex(text)
