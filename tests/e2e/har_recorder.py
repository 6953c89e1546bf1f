"""A HAR 1.2 file from what headless Chromium saw (DevTools Network events), stdlib only.

Chromium has no HAR export without its UI; this builds one from the same events DevTools' own
exporter reads: Network.requestWillBeSent (+ExtraInfo: the Cookie header as sent),
responseReceived (+ExtraInfo: the raw headers, Set-Cookie included), redirects (a
requestWillBeSent carrying redirectResponse) and Network.getResponseBody. Cookies are kept, as
"Save all as HAR with content" keeps them."""
import datetime
import time
import urllib.parse


def _headers(mapping):
    out = []
    for name, value in (mapping or {}).items():
        # DevTools joins repeated fields (Set-Cookie) with newlines.
        for v in str(value).split("\n"):
            out.append({"name": name, "value": v})
    return out


def _cookies_from_header(value):
    out = []
    for part in (value or "").split(";"):
        if "=" in part:
            n, v = part.strip().split("=", 1)
            out.append({"name": n, "value": v})
    return out


def _set_cookies(headers):
    out = []
    for h in headers:
        if h["name"].lower() != "set-cookie":
            continue
        first, *attrs = h["value"].split(";")
        name, _, value = first.strip().partition("=")
        c = {"name": name, "value": value}
        for a in attrs:
            k, _, v = a.strip().partition("=")
            k = k.lower()
            if k == "path":
                c["path"] = v
            elif k == "domain":
                c["domain"] = v
            elif k == "expires":
                c["expires"] = v
            elif k == "httponly":
                c["httpOnly"] = True
            elif k == "secure":
                c["secure"] = True
        out.append(c)
    return out


def extra_info_missing(events):
    """The HTTP(S) exchanges still unfinished, described: requests still in flight (no responseReceived or
    loadingFailed yet), and responses (final or redirect) still lacking their
    responseReceivedExtraInfo event. Chromium sends those raw headers (Set-Cookie among them)
    separately, in either order with the response, and sometimes late; counted per request id."""
    responses = {}
    extras = {}
    in_flight = set()
    urls = {}
    for e in events:
        p = e.get("params", {})
        rid = p.get("requestId")
        if e["method"] == "Network.requestWillBeSent":
            if "redirectResponse" in p:
                responses[rid] = responses.get(rid, 0) + 1
            # The browser's own favicon fetch may never report an end; it is not part of a flow.
            if p["request"]["url"].startswith(("http://", "https://")) and \
                    not p["request"]["url"].endswith("/favicon.ico"):
                in_flight.add(rid)
                urls[rid] = p["request"]["url"]
        elif e["method"] == "Network.responseReceived":
            in_flight.discard(rid)
            if p.get("response", {}).get("url", "").startswith(("http://", "https://")):
                responses[rid] = responses.get(rid, 0) + 1
        elif e["method"] == "Network.loadingFailed":
            in_flight.discard(rid)
        elif e["method"] == "Network.responseReceivedExtraInfo":
            extras[rid] = extras.get(rid, 0) + 1
    short = {rid: n - extras.get(rid, 0) for rid, n in responses.items() if n > extras.get(rid, 0)}
    return [f"in flight: {urls.get(rid, rid)}" for rid in sorted(in_flight)] + \
        [f"{n} response(s) without raw headers: {urls.get(rid, rid)}" for rid, n in sorted(short.items())]


def wait_for_extra_info(browser, timeout=15, quiet=0.5):
    """Pumps DevTools events until no exchange is unfinished (extra_info_missing) for `quiet`
    seconds in a row, so a HAR built on a loaded machine neither loses Set-Cookie headers nor cuts
    a flow short (a page may still auto-submit a form). Raises after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    settled_since = None
    while True:
        missing = extra_info_missing(browser.events)
        now = time.monotonic()
        if missing:
            settled_since = None
        elif settled_since is None:
            settled_since = now
        elif now - settled_since >= quiet:
            return
        if now > deadline:
            raise RuntimeError("exchanges still unfinished: " + "; ".join(missing))
        browser.call("Runtime.evaluate", expression="1")  # events arrive while waiting for an answer
        time.sleep(0.05)


def build_har(browser):
    """HAR 1.2 (a dict) of every HTTP(S) exchange in browser.events, in order."""
    events = list(browser.events)  # a snapshot: getResponseBody below pumps more events in
    extra_req = {}
    extra_resp = {}
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Network.requestWillBeSentExtraInfo":
            extra_req.setdefault(p["requestId"], []).append(p.get("headers", {}))
        elif e["method"] == "Network.responseReceivedExtraInfo":
            extra_resp.setdefault(p["requestId"], []).append(p.get("headers", {}))
    entries = []
    open_entries = {}

    def finish(rid, response, hop):
        entry = open_entries.pop(rid)
        raw = extra_resp.get(rid, [])
        headers = _headers(raw[hop] if hop < len(raw) else response.get("headers"))
        location = next((h["value"] for h in headers if h["name"].lower() == "location"), "")
        entry["response"] = {
            "status": response["status"], "statusText": response.get("statusText", ""),
            "httpVersion": "HTTP/1.1", "headers": headers, "cookies": _set_cookies(headers),
            "content": {"size": 0, "mimeType": response.get("mimeType", "")},
            "redirectURL": location, "headersSize": -1, "bodySize": -1,
        }
        entries.append(entry)

    hops = {}
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Network.requestWillBeSent":
            rid = p["requestId"]
            if "redirectResponse" in p and rid in open_entries:
                finish(rid, p["redirectResponse"], hops.get(rid, 0))
                hops[rid] = hops.get(rid, 0) + 1
            req = p["request"]
            if not req["url"].startswith(("http://", "https://")):
                continue
            hop = hops.get(rid, 0)
            sent = extra_req.get(rid, [])
            headers = _headers(sent[hop] if hop < len(sent) else req.get("headers"))
            cookie = next((h["value"] for h in headers if h["name"].lower() == "cookie"), "")
            url = urllib.parse.urlsplit(req["url"])
            entry = {
                "_requestId": rid,
                "startedDateTime": datetime.datetime.fromtimestamp(p["wallTime"], datetime.timezone.utc)
                .strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "time": 0,
                "request": {
                    "method": req["method"], "url": req["url"], "httpVersion": "HTTP/1.1",
                    "headers": headers, "cookies": _cookies_from_header(cookie),
                    "queryString": [{"name": k, "value": v} for k, v in urllib.parse.parse_qsl(url.query)],
                    "headersSize": -1, "bodySize": len(req.get("postData", "")),
                },
                "cache": {}, "timings": {"send": 0, "wait": 0, "receive": 0},
            }
            if "postData" in req:
                entry["request"]["postData"] = {
                    "mimeType": next((h["value"] for h in headers if h["name"].lower() == "content-type"), ""),
                    "text": req["postData"]}
            open_entries[rid] = entry
        elif e["method"] == "Network.responseReceived" and p["requestId"] in open_entries:
            rid = p["requestId"]
            finish(rid, p["response"], hops.get(rid, 0))
            entry = entries[-1]
            try:
                body = browser.call("Network.getResponseBody", requestId=rid)
                if not body.get("base64Encoded"):
                    entry["response"]["content"]["text"] = body["body"]
                    entry["response"]["content"]["size"] = len(body["body"].encode())
            except RuntimeError:
                pass  # no body (a redirect, or already evicted): size 0, as DevTools writes
    for entry in entries:
        entry.pop("_requestId", None)
    return {"log": {"version": "1.2", "creator": {"name": "parley tests/e2e/har_recorder.py", "version": "1"},
                    "pages": [], "entries": entries}}
