"""A small browser for the relying-party tests: stdlib http.client over TLS with the test CA, a
cookie jar that applies Set-Cookie the way RFC 6265 says (path matching, deletion by a past
Expires), no automatic redirects (the tests look at every hop), and the STS's auto-post form
followed by parsing its fields."""
import email.utils
import html.parser
import http.client
import ssl
import time
import urllib.parse

# A re-authentication deletes every chunk the request carried: a chunk bomb's answer has
# more Set-Cookie fields than http.client's default of 100 header lines.
http.client._MAXHEADERS = 2000


class Cookie:
    def __init__(self, name, value, attrs):
        self.name = name
        self.value = value
        self.attrs = attrs  # lower-case attribute name -> value ("" for flags)

    @property
    def path(self):
        return self.attrs.get("path", "/")


def parse_set_cookie(line):
    parts = [p.strip() for p in line.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip()
    return Cookie(name.strip(), value.strip(), attrs)


def cookie_expired(c, now=None):
    exp = c.attrs.get("expires")
    if not exp:
        return False
    # WIF writes "Thu, 01-Jan-1970 00:00:00 GMT"; RFC 1123 uses spaces.
    t = email.utils.parsedate_to_datetime(exp.replace("-", " "))
    return t.timestamp() < (now or time.time())


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value), wire order
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def set_cookies(self):
        return [parse_set_cookie(v) for k, v in self.headers if k.lower() == "set-cookie"]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action")
        elif tag == "input" and a.get("name"):
            self.fields.append((a["name"], a.get("value", "")))


class Browser:
    def __init__(self, ca_file):
        self.context = ssl.create_default_context(cafile=str(ca_file))
        self.jar = {}  # name -> Cookie

    def request(self, method, url, body=None, headers=None, cookie_header=None):
        u = urllib.parse.urlsplit(url)
        conn_cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        kwargs = {"context": self.context} if u.scheme == "https" else {}
        conn = conn_cls(u.hostname, u.port, timeout=30, **kwargs)
        target = u.path or "/"
        if u.query:
            target += "?" + u.query
        h = dict(headers or {})
        cookies = cookie_header if cookie_header is not None else self.cookie_header(u.path or "/")
        if cookies:
            h["Cookie"] = cookies
        conn.request(method, target, body=body, headers=h)
        r = conn.getresponse()
        resp = Response(r.status, r.getheaders(), r.read())
        conn.close()
        for c in resp.set_cookies():
            if c.value == "" or cookie_expired(c):
                self.jar.pop(c.name, None)
            else:
                self.jar[c.name] = c
        return resp

    def cookie_header(self, path):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar.values()
                         if path.startswith(c.path) or path + "/" == c.path)

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post_form(self, url, fields):
        return self.request("POST", url, body=urllib.parse.urlencode(fields),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})

    def session_cookies(self, name="FedAuth"):
        """The chunks of the session cookie in the jar, in index order."""
        out, i = [], 0
        while True:
            n = name if i == 0 else f"{name}{i}"
            if n not in self.jar:
                return out
            out.append(self.jar[n])
            i += 1

    def follow_sts(self, sts_url, base=None, query=None):
        """GET the STS sign-in URL, then POST its auto-post form to the RP: the RP's answer."""
        if query:
            sts_url += ("&" if "?" in sts_url else "?") + query
        page = self.get(urllib.parse.urljoin(base or sts_url, sts_url))
        assert page.status == 200, (page.status, page.text)
        form = FormParser()
        form.feed(page.text)
        assert form.action, page.text
        return self.post_form(form.action, form.fields), form

    def sign_in(self, protected_url, sts_query=None):
        """The whole passive sign-in: protected URL -> 302 to STS -> auto-post -> RP sets the
        session and redirects back -> the protected page. Returns the sign-in POST's answer."""
        first = self.get(protected_url)
        assert first.status == 302, (first.status, first.text)
        location = first.header("Location")
        answer, _ = self.follow_sts(location, protected_url, sts_query)
        return answer
