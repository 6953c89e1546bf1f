"""Every WIF_SESSION_TOKEN vector, checked without parley's code: the state bytes are decoded by
nbfx_reference.py (an independent NBFX decoder) and compared with XML rebuilt here from the
token JSON following the layout of docs/design/wif-session-token.md; the [MS-NRBF] frame is
parsed here; the SecurityContextToken XML is rebuilt here. Invalid vectors must break a rule
this checker knows too."""
import base64
import datetime
import json
import os
import re
import struct
import xml.etree.ElementTree as ET

import pytest

import nbfx_reference as ref

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = os.path.join(ROOT, "vectors", "wif", "session_token.json")

WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DNSE = "http://schemas.microsoft.com/ws/2006/05/security"
SC_NAMESPACES = ("http://schemas.xmlsoap.org/ws/2005/02/sc", "http://docs.oasis-open.org/ws-sx/ws-secureconversation/200512")
LIBRARY = "System.IdentityModel, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089"
CLASS = "System.IdentityModel.Tokens.SessionSecurityToken"
BINARY_KINDS = ("WindowsSidClaim", "DenyOnlySidClaim", "X500DistinguishedNameClaim", "X509ThumbprintClaim", "HashClaim")


def load():
    with open(VECTORS, encoding="utf-8") as f:
        return json.load(f)


def cases(pred):
    return [pytest.param(t, id="session_token.json#%d" % t["id"]) for t in load()["tests"] if pred(t)]


def ticks(iso):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,7}))?Z", iso)
    assert m, iso
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = int((m.group(7) or "0").ljust(7, "0"))
    days = datetime.date(y, mo, d).toordinal() - 1
    return days * 864000000000 + ((h * 60 + mi) * 60 + s) * 10000000 + frac


def esc(text):
    return ref.escape(text, False)


def attr(name, value):
    return ' %s="%s"' % (name, ref.escape(value, True))


def element(name, text):
    return "<%s>%s</%s>" % (name, esc(text), name)


def identity_xml(i):
    out = "<Identity"
    if i.get("windows_logon_name") is not None:
        out += attr("WindowsLogonName", i["windows_logon_name"])
    if i["authentication_type"]:
        out += attr("AuthenticationType", i["authentication_type"])
    if i["label"]:
        out += attr("Label", i["label"])
    if i["name_claim_type"] is not None:
        out += attr("NameClaimType", i["name_claim_type"])
    if i["role_claim_type"] is not None:
        out += attr("RoleClaimType", i["role_claim_type"])
    out += "><ClaimCollection>"
    for c in i["claims"]:
        out += "<Claim"
        if c["issuer"]:
            out += attr("Issuer", c["issuer"])
        if c["original_issuer"]:
            out += attr("OriginalIssuer", c["original_issuer"])
        out += attr("Type", c["type"]) + attr("Value", c["value"]) + attr("ValueType", c["value_type"]) + ">"
        if c["properties"]:
            out += "<ClaimProperties>"
            for p in c["properties"]:
                out += "<ClaimProperty%s%s></ClaimProperty>" % (attr("ClaimPropertyName", p["name"]),
                                                                attr("ClaimPropertyValue", p["value"]))
            out += "</ClaimProperties>"
        out += "</Claim>"
    out += "</ClaimCollection>"
    if i["actor"] is not None:
        out += "<Actor>" + identity_xml(i["actor"]) + "</Actor>"
    if i["bootstrap_token"] is not None:
        out += element("BootStrapToken", i["bootstrap_token"])
    return out + "</Identity>"


def state_xml(t):
    """The state as docs/design/wif-session-token.md lays it out, as XML text."""
    root = "SecurityContextToken" if t["sct_wrapper"] else "SessionToken"
    out = "<" + root
    if not t["sct_wrapper"]:
        if t["persistent"]:
            out += ' PersistentTrue=""'
        if t["reference_mode"]:
            out += ' ReferenceModeTrue=""'
    out += ">"
    if not t["sct_wrapper"] and t["context"]:
        out += element("Context", t["context"])
    out += element("Version", "1") + element("SecureConversationVersion", t["secure_conversation_version"])
    out += element("Id", t["id"]) + element("ContextId", t["context_id"]) + element("Key", t["key"])
    if t["key_generation"] is not None:
        out += element("KeyGeneration", t["key_generation"])
    for name, key in (("EffectiveTime", "effective_time"), ("ExpiryTime", "expiry_time"),
                      ("KeyEffectiveTime", "key_effective_time"), ("KeyExpiryTime", "key_expiry_time")):
        out += element(name, str(ticks(t[key])))
    if t["identities"] is not None:
        out += "<ClaimsPrincipal><Identities>" + "".join(identity_xml(i) for i in t["identities"])
        out += "</Identities></ClaimsPrincipal>"
    p = t["sct_authorization_policy"]
    if p is not None:
        out += "<SctAuthorizationPolicy><%s%s>%s</%s></SctAuthorizationPolicy>" % (
            p["kind"], attr("Right", p["right"]) if p["right"] is not None else "", esc(p["value"]), p["kind"])
    return out + element("EndpointId", t["endpoint_id"]) + "</%s>" % root


def decode_state(data):
    return ref.decode(data, ref.WIF_SESSION_DICTIONARY)


class Nrbf:
    """[MS-NRBF] reader for exactly the records a BinaryFormatter writes for the token."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def i32(self):
        return struct.unpack("<i", self.take(4))[0]

    def lps(self):
        n, shift = 0, 0
        while True:
            b = self.take(1)[0]
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return self.take(n).decode("utf-8")

    def state(self):
        if self.take(1) != b"\x00" or (self.i32(), self.i32(), self.i32(), self.i32()) != (1, -1, 1, 0):
            raise ValueError("SerializationHeaderRecord")
        if self.take(1) != b"\x0c" or self.i32() != 2 or self.lps() != LIBRARY:
            raise ValueError("BinaryLibrary")
        if self.take(1) != b"\x05" or self.i32() != 1 or self.lps() != CLASS or self.i32() != 1:
            raise ValueError("ClassWithMembersAndTypes")
        if self.lps() != "SessionToken" or self.take(2) != b"\x07\x02" or self.i32() != 2:
            raise ValueError("member")
        if self.take(1) != b"\x09" or self.i32() != 3:
            raise ValueError("MemberReference")
        if self.take(1) != b"\x0f" or self.i32() != 3:
            raise ValueError("ArraySinglePrimitive")
        n = self.i32()
        if self.take(1) != b"\x02":
            raise ValueError("array of Byte")
        body = self.take(n)
        if self.take(1) != b"\x0b" or self.pos != len(self.data):
            raise ValueError("MessageEnd")
        return body


def sct_xml(t, payload):
    ns = SC_NAMESPACES[0] if t["secure_conversation_version"] == SC_NAMESPACES[0] else SC_NAMESPACES[1]
    out = '\ufeff<?xml version="1.0" encoding="utf-8"?><SecurityContextToken'
    if t["id"]:
        out += ' p1:Id="%s" xmlns:p1="%s"' % (ref.escape(t["id"], True), WSU)
    out += ' xmlns="%s">' % ns + element("Identifier", t["context_id"])
    if t["key_generation"] is not None:
        out += element("Instance", t["key_generation"])
    if not t["reference_mode"]:
        out += '<Cookie xmlns="%s">%s</Cookie>' % (DNSE, base64.b64encode(payload).decode())
    return out + "</SecurityContextToken>"


# The reader's ordering and value rules (the deserializing constructor of the reference source).
ORDER = re.compile(r"(Context )?Version SecureConversationVersion Id ContextId Key (KeyGeneration )?"
                   r"EffectiveTime ExpiryTime KeyEffectiveTime KeyExpiryTime (ClaimsPrincipal )?"
                   r"(SctAuthorizationPolicy )?(EndpointId )?")


def check_layout(xml_text):
    root = ET.fromstring(xml_text)
    if root.tag not in ("SessionToken", "SecurityContextToken"):
        raise ValueError("root")
    names = "".join(c.tag + " " for c in root)
    if not ORDER.fullmatch(names):
        raise ValueError("order: " + names)
    if root.find("Version").text != "1":
        raise ValueError("version")
    if root.find("SecureConversationVersion").text not in SC_NAMESPACES:
        raise ValueError("namespace")


def token_of(vec):
    return vec["inputs"]["token"]


@pytest.mark.parametrize("vec", cases(lambda t: t["result"] == "valid" and "token" in t["inputs"]))
def test_state_bytes_decode_to_the_layout_of_the_token(vec):
    t = token_of(vec)
    state = bytes.fromhex(vec["expected"]["nbfx"])
    assert decode_state(state) == state_xml(t)
    check_layout(decode_state(state))


@pytest.mark.parametrize("vec", cases(lambda t: t["result"] == "valid" and "token" in t["inputs"]))
def test_payload_frame_and_sct_xml(vec):
    t = token_of(vec)
    state = bytes.fromhex(vec["expected"]["nbfx"])
    payload = bytes.fromhex(vec["expected"]["payload"])
    if vec["inputs"].get("framing") == "raw":
        assert payload == state
    else:
        assert Nrbf(payload).state() == state
    assert vec["expected"]["sct_xml"] == sct_xml(t, payload)


@pytest.mark.parametrize("vec", cases(lambda t: t["result"] == "valid" and "token" not in t["inputs"]))
def test_parse_direction(vec):
    i = vec["inputs"]
    state = bytes.fromhex(i["nbfx"]) if "nbfx" in i else Nrbf(bytes.fromhex(i["payload"])).state()
    assert decode_state(state) == state_xml(vec["expected"]["token"])


@pytest.mark.parametrize("vec", cases(lambda t: t["result"] == "invalid"))
def test_invalid_vectors_break_a_rule(vec):
    i = vec["inputs"]
    with pytest.raises((ref.NbfxError, ValueError, ET.ParseError)):
        if "token" in i:
            if not i["token"]["id"]:
                raise ValueError("WIF requires an Id")
            raise AssertionError("no rule known for this token")
        state = bytes.fromhex(i["nbfx"]) if "nbfx" in i else Nrbf(bytes.fromhex(i["payload"])).state()
        check_layout(decode_state(state))


def test_key_record_choices_in_the_minimal_vector():
    # Record choices of the minimal vector, byte for byte (design note, "record choices"):
    # ContextId UniqueIdTextWithEndElement, Key Bytes8TextWithEndElement, times Int64TextWithEndElement.
    vec = load()["tests"][0]
    state = bytes.fromhex(vec["expected"]["nbfx"])
    assert bytes.fromhex("4242ad33221100554477668899aabbccddeeff") in state
    assert bytes.fromhex("422e9f10") + bytes(range(16)) in state
    assert bytes.fromhex("42308f") + struct.pack("<q", ticks(token_of(vec)["effective_time"])) in state
    assert state.startswith(bytes.fromhex("42440658a8420499013101"[:-2]))
