"""An independent [MC-NBFX] decoder, written from the specification text (v9.0), standard
library only. It shares no code with parley's C++ codec: it exists to cross-check the committed
vectors (vectors/wif/nbfx.json, vectors/wif/session_token.json).

Decisions where the spec is silent or inconsistent follow docs/nbfx.md (the same written
rules parley's codec follows, implemented again here from the prose):
  - DictionaryString: even ids name a static-dictionary string, odd ids a session string;
    unknown ids render as "strN" in placeholder mode (section 3's notation), else raise.
  - Float/Double: shortest round-trip digits; plain notation for decimal exponents -4..14,
    else d.dddE+XX (two-digit minimum exponent).
  - DateTime / TimeSpan: the normative forms of 2.2.3.12 / 2.2.3.23 (not section 3's table).
  - UnicodeChars32Text: 4-byte INT32 length, as section 3's example bytes show.
  - Escaping (2.2.3.13.1): content & < > ; attributes also " ; CR always, TAB/LF in attributes,
    as character references; characters outside XML's Char production as &#N;.
"""
import base64
import datetime
import math
import struct


class NbfxError(Exception):
    pass


TEXT_NAMES = [
    "ZeroText", "OneText", "FalseText", "TrueText", "Int8Text", "Int16Text", "Int32Text", "Int64Text",
    "FloatText", "DoubleText", "DecimalText", "DateTimeText", "Chars8Text", "Chars16Text", "Chars32Text",
    "Bytes8Text", "Bytes16Text", "Bytes32Text", "StartListText", "EndListText", "EmptyText",
    "DictionaryText", "UniqueIdText", "TimeSpanText", "UuidText", "UInt64Text", "BoolText",
    "UnicodeChars8Text", "UnicodeChars16Text", "UnicodeChars32Text", "QNameDictionaryText",
]

ARRAY_ITEM_SIZES = {0xB5: 1, 0x8B: 2, 0x8D: 4, 0x8F: 8, 0x91: 4, 0x93: 8, 0x95: 16, 0x97: 8, 0xAF: 8, 0xB1: 16}


def is_xml_char(c):
    return c in (0x9, 0xA, 0xD) or 0x20 <= c <= 0xD7FF or 0xE000 <= c <= 0xFFFD or 0x10000 <= c <= 0x10FFFF


def escape(text, attribute):
    out = []
    for ch in text:
        c = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"' and attribute:
            out.append("&quot;")
        elif ch == "\r":
            out.append("&#13;")
        elif ch in "\t\n" and attribute:
            out.append("&#%d;" % c)
        elif not is_xml_char(c):
            out.append("&#%d;" % c)
        else:
            out.append(ch)
    return "".join(out)


def format_digits(negative, digits, exponent):
    """digits: significant digits without leading/trailing zeros; value = 0.d1d2... * 10^(exponent+1)."""
    sign = "-" if negative else ""
    if -4 <= exponent < 15:
        if exponent >= 0:
            if len(digits) <= exponent + 1:
                return sign + digits + "0" * (exponent + 1 - len(digits))
            return sign + digits[: exponent + 1] + "." + digits[exponent + 1:]
        return sign + "0." + "0" * (-exponent - 1) + digits
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return sign + mantissa + ("E-" if exponent < 0 else "E+") + "%02d" % abs(exponent)


def shortest(value, bits):
    """Shortest decimal digits that read back as the same binary float of `bits` bits."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    for precision in range(1, 18):
        text = "%.*e" % (precision - 1, value)
        if bits == 32:
            if struct.unpack("<f", struct.pack("<f", float(text)))[0] != value:
                continue
        elif float(text) != value:
            continue
        mantissa, exp = text.split("e")
        negative = mantissa.startswith("-")
        digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
        return format_digits(negative, digits, int(exp))
    raise AssertionError("no representation")


def format_decimal(raw):
    scale, sign = raw[2], raw[3]
    if scale > 28:
        raise NbfxError("decimal scale above 28")
    if sign not in (0x00, 0x80):
        raise NbfxError("decimal sign byte")
    hi = struct.unpack("<I", raw[4:8])[0]
    lo = struct.unpack("<Q", raw[8:16])[0]
    n = (hi << 64) | lo
    digits = str(n)
    if scale:
        digits = digits.rjust(scale + 1, "0")
        digits = digits[:-scale] + "." + digits[-scale:]
        digits = digits.rstrip("0").rstrip(".")
    if sign == 0x80 and digits != "0":
        digits = "-" + digits
    return digits


def fraction(f):
    return ("%07d" % f).rstrip("0") if f else ""


def format_datetime(raw, local_offset_minutes=0):
    v = struct.unpack("<Q", raw)[0]
    ticks, tz = v & ((1 << 62) - 1), v >> 62
    if ticks >= 3155378976000000000:
        raise NbfxError("DateTime out of range")
    if tz == 3:
        raise NbfxError("DateTime TZ 3")
    days, rem = divmod(ticks, 864000000000)
    d = datetime.date(1, 1, 1) + datetime.timedelta(days=days)
    secs, frac = divmod(rem, 10000000)
    h, secs = divmod(secs, 3600)
    m, s = divmod(secs, 60)
    out = "%04d-%02d-%02d" % (d.year, d.month, d.day)
    if h or m or s or frac:
        out += "T%02d:%02d:%02d" % (h, m, s)
        if frac:
            out += "." + fraction(frac)
    if tz == 1:
        out += "Z"
    elif tz == 2:
        mag = abs(local_offset_minutes)
        out += ("-" if local_offset_minutes < 0 else "+") + "%02d:%02d" % (mag // 60, mag % 60)
    return out


def format_timespan(raw):
    v = struct.unpack("<q", raw)[0]
    sign = "-" if v < 0 else ""
    days, rem = divmod(abs(v), 864000000000)
    secs, frac = divmod(rem, 10000000)
    h, secs = divmod(secs, 3600)
    m, s = divmod(secs, 60)
    out = sign + ("%d." % days if days else "") + "%02d:%02d:%02d" % (h, m, s)
    if frac:
        out += "." + fraction(frac)
    return out


def format_guid(raw):
    d1, d2, d3 = struct.unpack("<IHH", raw[:8])
    return "%08x-%04x-%04x-%s-%s" % (d1, d2, d3, raw[8:10].hex(), raw[10:16].hex())


def is_ncname(name):
    if not name or ":" in name:
        return False
    for i, ch in enumerate(name):
        c = ord(ch)
        start = ch.isalpha() and c < 0x80 or ch == "_" or (
            0xC0 <= c <= 0xD6 or 0xD8 <= c <= 0xF6 or 0xF8 <= c <= 0x2FF or 0x370 <= c <= 0x37D or
            0x37F <= c <= 0x1FFF or 0x200C <= c <= 0x200D or 0x2070 <= c <= 0x218F or 0x2C00 <= c <= 0x2FEF or
            0x3001 <= c <= 0xD7FF or 0xF900 <= c <= 0xFDCF or 0xFDF0 <= c <= 0xFFFD or 0x10000 <= c <= 0xEFFFF)
        other = ch in "-." or ch.isdigit() and c < 0x80 or c == 0xB7 or 0x300 <= c <= 0x36F or 0x203F <= c <= 0x2040
        if not (start or (i > 0 and other)):
            return False
    return True


class Decoder:
    def __init__(self, data, static=None, session=None, placeholders=False, max_depth=64):
        self.data = data
        self.pos = 0
        self.static = static or {}
        self.session = session or {}
        self.placeholders = placeholders
        self.max_depth = max_depth
        self.out = []
        self.stack = []

    # -- primitives ------------------------------------------------------------------------
    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise NbfxError("truncated at %d" % self.pos)
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def mb31(self):
        value = 0
        for i in range(5):
            b = self.take(1)[0]
            if i == 4 and b & 0xF8:
                raise NbfxError("MultiByteInt31 over 31 bits")
            value |= (b & 0x7F) << (7 * i)
            if not b & 0x80:
                if i > 0 and b == 0:
                    raise NbfxError("MultiByteInt31 not minimal")
                return value
        raise AssertionError

    def utf8(self, raw):
        try:
            return raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            raise NbfxError("bad UTF-8") from e

    def string(self):
        return self.utf8(self.take(self.mb31()))

    def dict_string(self):
        key = self.mb31()
        table = self.session if key & 1 else self.static
        if key in table:
            return table[key]
        if self.placeholders:
            return "str%d" % key
        raise NbfxError("unknown dictionary id %d" % key)

    def name(self, value):
        if value == "xmlns" or not is_ncname(value):
            raise NbfxError("bad name %r" % value)
        return value

    # -- text ------------------------------------------------------------------------------
    def text(self, in_attribute):
        t = self.take(1)[0]
        if not (0x80 <= t <= 0xBD) or t in (0xA5, 0xA7):
            raise NbfxError("not a text record 0x%02X" % t)
        if t == 0xA4:
            items = []
            while True:
                if self.pos >= len(self.data):
                    raise NbfxError("list not closed")
                nxt = self.data[self.pos]
                if nxt == 0xA6:
                    self.pos += 1
                    return " ".join(items), False
                if nxt == 0xA4 or nxt & 1:
                    raise NbfxError("bad list item")
                items.append(self.text(in_attribute)[0])
        if t == 0xA6:
            raise NbfxError("EndListText without StartListText")
        end = bool(t & 1)
        if end and in_attribute:
            raise NbfxError("WithEndElement in attribute")
        base = t & 0xFE
        if base == 0x80:
            v = "0"
        elif base == 0x82:
            v = "1"
        elif base == 0x84:
            v = "false"
        elif base == 0x86:
            v = "true"
        elif base in (0x88, 0x8A, 0x8C, 0x8E):
            size = {0x88: 1, 0x8A: 2, 0x8C: 4, 0x8E: 8}[base]
            v = str(int.from_bytes(self.take(size), "little", signed=True))
        elif base == 0x90:
            v = shortest(struct.unpack("<f", self.take(4))[0], 32)
        elif base == 0x92:
            v = shortest(struct.unpack("<d", self.take(8))[0], 64)
        elif base == 0x94:
            v = format_decimal(self.take(16))
        elif base == 0x96:
            v = format_datetime(self.take(8))
        elif base in (0x98, 0x9A, 0x9C):
            size = {0x98: 1, 0x9A: 2, 0x9C: 4}[base]
            n = int.from_bytes(self.take(size), "little", signed=size == 4)
            if size == 4 and n <= 0:
                raise NbfxError("Chars32 length not positive")
            v = self.utf8(self.take(n))
        elif base in (0x9E, 0xA0, 0xA2):
            size = {0x9E: 1, 0xA0: 2, 0xA2: 4}[base]
            n = int.from_bytes(self.take(size), "little", signed=size == 4)
            if size == 4 and n <= 0:
                raise NbfxError("Bytes32 length not positive")
            v = base64.b64encode(self.take(n)).decode("ascii")
        elif base == 0xA8:
            v = ""
        elif base == 0xAA:
            v = self.dict_string()
        elif base == 0xAC:
            v = "urn:uuid:" + format_guid(self.take(16))
        elif base == 0xAE:
            v = format_timespan(self.take(8))
        elif base == 0xB0:
            v = format_guid(self.take(16))
        elif base == 0xB2:
            v = str(struct.unpack("<Q", self.take(8))[0])
        elif base == 0xB4:
            b = self.take(1)[0]
            if b > 1:
                raise NbfxError("BoolText value")
            v = "true" if b else "false"
        elif base in (0xB6, 0xB8, 0xBA):
            size = {0xB6: 1, 0xB8: 2, 0xBA: 4}[base]
            n = int.from_bytes(self.take(size), "little", signed=size == 4)
            raw = self.take(n)
            try:
                v = raw.decode("utf-16-le", errors="strict")
            except UnicodeDecodeError as e:
                raise NbfxError("bad UTF-16") from e
        elif base == 0xBC:
            p = self.take(1)[0]
            if p > 25:
                raise NbfxError("QName prefix")
            v = chr(ord("a") + p) + ":" + self.dict_string()
        else:
            raise AssertionError(hex(t))
        return v, end

    # -- structure -------------------------------------------------------------------------
    def element_header(self, t):
        if t == 0x40:
            prefix, name = "", self.string()
        elif t == 0x41:
            prefix = self.name(self.string())
            name = self.string()
        elif t == 0x42:
            prefix, name = "", self.dict_string()
        elif t == 0x43:
            prefix = self.name(self.string())
            name = self.dict_string()
        elif 0x44 <= t <= 0x5D:
            prefix, name = chr(ord("a") + t - 0x44), self.dict_string()
        else:
            prefix, name = chr(ord("a") + t - 0x5E), self.string()
        qname = (prefix + ":" if prefix else "") + self.name(name)
        tag = "<" + qname
        while self.pos < len(self.data) and 0x04 <= self.data[self.pos] <= 0x3F:
            a = self.take(1)[0]
            if 0x08 <= a <= 0x0B:
                p = self.name(self.string()) if a in (0x09, 0x0B) else ""
                value = self.string() if a in (0x08, 0x09) else self.dict_string()
                tag += ' xmlns%s="%s"' % (":" + p if p else "", escape(value, True))
                continue
            if a in (0x04, 0x06):
                p = ""
            elif a in (0x05, 0x07):
                p = self.name(self.string())
            elif 0x0C <= a <= 0x25:
                p = chr(ord("a") + a - 0x0C)
            else:
                p = chr(ord("a") + a - 0x26)
            dictionary = a in (0x06, 0x07) or 0x0C <= a <= 0x25
            n = self.name(self.dict_string() if dictionary else self.string())
            if self.pos >= len(self.data):
                raise NbfxError("attribute value missing")
            value, _ = self.text(True)
            tag += ' %s="%s"' % ((p + ":" if p else "") + n, escape(value, True))
        return qname, tag + ">"

    def decode(self):
        while self.pos < len(self.data):
            t = self.data[self.pos]
            if t == 0x01:
                self.pos += 1
                if not self.stack:
                    raise NbfxError("EndElement with nothing open")
                self.out.append("</%s>" % self.stack.pop())
            elif t == 0x02:
                self.pos += 1
                text = self.string()
                if "--" in text or text.endswith("-"):
                    raise NbfxError("comment with --")
                self.out.append("<!--%s-->" % text)
            elif t == 0x03:
                self.pos += 1
                e = self.take(1)[0]
                if not 0x40 <= e <= 0x77:
                    raise NbfxError("Array element")
                if len(self.stack) >= self.max_depth:
                    raise NbfxError("too deep")
                qname, tag = self.element_header(e)
                if self.take(1)[0] != 0x01:
                    raise NbfxError("Array EndElement")
                item = self.take(1)[0]
                if item not in ARRAY_ITEM_SIZES:
                    raise NbfxError("Array record type")
                count = self.mb31()
                if count == 0:
                    raise NbfxError("Array length zero")
                size = ARRAY_ITEM_SIZES[item]
                data = self.take(count * size)
                for i in range(count):
                    sub = Decoder(bytes([item]) + data[i * size:(i + 1) * size])
                    value, _ = sub.text(False)
                    self.out.append(tag + escape(value, False) + "</%s>" % qname)
            elif 0x04 <= t <= 0x3F:
                raise NbfxError("attribute record outside a start tag")
            elif 0x40 <= t <= 0x77:
                self.pos += 1
                if len(self.stack) >= self.max_depth:
                    raise NbfxError("too deep")
                qname, tag = self.element_header(t)
                self.out.append(tag)
                self.stack.append(qname)
            elif 0x80 <= t <= 0xBD and t not in (0xA5, 0xA7):
                value, end = self.text(False)
                self.out.append(escape(value, False))
                if end:
                    if not self.stack:
                        raise NbfxError("implied EndElement with nothing open")
                    self.out.append("</%s>" % self.stack.pop())
            else:
                raise NbfxError("reserved record type 0x%02X" % t)
        if self.stack:
            raise NbfxError("unclosed elements")
        return "".join(self.out)


def decode(data, static=None, session=None, placeholders=False):
    return Decoder(data, static, session, placeholders).decode()


# WIF SessionDictionary, in XmlDictionary.Add order (string n has static id 2n), transcribed for
# this checker from the .NET reference source listing (docs/design/wif-session-token.md).
WIF_SESSION_STRINGS = (
    "Claim SecurityContextToken Version SecureConversationVersion Issuer OriginalIssuer IssuerRef "
    "ClaimCollection Actor ClaimProperty ClaimProperties Value ValueType Label Type subjectID "
    "ClaimPropertyName ClaimPropertyValue AuthenticationType NameClaimType RoleClaimType Null <empty> Key "
    "EffectiveTime ExpiryTime KeyGeneration KeyEffectiveTime KeyExpiryTime SessionId Id ValidFrom ValidTo "
    "ContextId SessionToken SessionTokenCookie BootStrapToken Context ClaimsPrincipal WindowsPrincipal "
    "WindowIdentity Identity Identities WindowsLogonName PersistentTrue SctAuthorizationPolicy Right "
    "EndpointId WindowsSidClaim DenyOnlySidClaim X500DistinguishedNameClaim X509ThumbprintClaim NameClaim "
    "DnsClaim RsaClaim MailAddressClaim SystemClaim HashClaim SpnClaim UpnClaim UrlClaim Sid ReferenceModeTrue"
).split()
WIF_SESSION_DICTIONARY = {2 * i: ("" if s == "<empty>" else s) for i, s in enumerate(WIF_SESSION_STRINGS)}
assert len(WIF_SESSION_DICTIONARY) == 63
