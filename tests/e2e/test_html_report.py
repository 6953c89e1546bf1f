"""index.html in a real browser: headless Chromium (Debian package), fresh profile, networking off.

The page of a real run must load without console errors, make no request but its own file, and
its filters must show exactly the cases report.json says they should. A doctored report with
hostile text from the "target" must stay inert. Screenshots are kept in the test's directory.
"""
import json
import os
import re
from collections import Counter

import pytest

from chromium import CHROMIUM, Browser
from conftest import parley

# Not skipped when the browser is missing: CI must run this test, so a missing browser fails it.
assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is not installed: run scripts/setup (Debian package chromium)"

VISIBLE = "Array.from(document.querySelectorAll('#case-list > .case')).filter(c => !c.hidden).length"


def select(browser, name, value):
    """Sets a filter as a person would (the change event), returns the visible case count."""
    browser.evaluate(f"(() => {{ const s = document.getElementById('f-{name}'); s.value = {json.dumps(value)};"
                     f" s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()")
    visible = browser.evaluate(VISIBLE)
    assert browser.evaluate("document.getElementById('shown').getAttribute('data-count')") == str(visible)
    return visible


def reset(browser):
    browser.evaluate("document.getElementById('filters').reset(); document.getElementById('f-verdict')"
                     ".dispatchEvent(new Event('change', {bubbles: true}))")


# Sections with exactly one amend case (the capability probe), so the deviation is one FAIL.
SUBSET = ["--filter", "wssc/00/*", "--filter", "wssc/02/*", "--filter", "wssc/03/*", "--filter", "wssc/08/*"]


@pytest.fixture
def deviating_run(oracle, tmp_path):
    """A real run with a deviation (amend claimed, refused), so that there is more than one verdict."""
    o = oracle('[wssc]\namend = false\n')
    profile = o.profile.read_text().replace("amend = false", "amend = true")
    o.profile.write_text(profile)
    out = tmp_path / "report"
    r = parley("run", "--target", o.profile, "--out", out, "--jobs", "2", *SUBSET)
    assert r.returncode == 1, r.stdout + r.stderr
    return out


def test_report_loads_filters_and_looks_right(deviating_run, tmp_path):
    report = json.load(open(deviating_run / "report.json"))
    cases = report["cases"]
    page = "file://" + str(deviating_run / "index.html")
    with Browser(width=1280, height=1000) as b:
        b.open(page)
        assert b.errors() == []
        assert b.requests() == [page]  # nothing but the file itself: no network, no assets
        assert b.evaluate("document.title") == "parley report: parley reference service"
        assert b.evaluate(VISIBLE) == len(cases)
        assert b.evaluate("document.getElementById('shown').textContent") == f"{len(cases)} of {len(cases)} cases shown"

        by_verdict = Counter(c["verdict"] for c in cases)
        assert by_verdict["FAIL"] == 1 and by_verdict["PASS"] > 10
        for verdict, n in by_verdict.items():
            assert select(b, "verdict", verdict) == n == report["summary"]["by_verdict"][verdict]
        assert select(b, "verdict", "problems") == by_verdict["FAIL"]
        reset(b)
        for section, n in Counter(f'{c["spec"]} \u00a7{c["section"]}' for c in cases).items():
            assert select(b, "section", section) == n
        reset(b)
        for level, n in Counter(c["level"] for c in cases).items():
            assert select(b, "level", level) == n
        reset(b)
        for role, n in Counter(c["role"] for c in cases).items():
            assert select(b, "role", role) == n
        # Filters combine.
        select(b, "role", "SVC")
        assert select(b, "verdict", "PASS") == sum(1 for c in cases if c["role"] == "SVC" and c["verdict"] == "PASS")
        reset(b)
        assert b.evaluate(VISIBLE) == len(cases)
        # Free text, typed into the search box.
        b.evaluate("(() => { const q = document.getElementById('f-q'); q.value = 'amend';"
                   " q.dispatchEvent(new Event('input', {bubbles: true})); })()")
        assert b.evaluate(VISIBLE) == sum(1 for c in cases if "amend" in (c["id"] + c["title"] + c["reason"]).lower()
                                          or any("amend" in r["id"].lower() for r in c["requirements"]))
        reset(b)

        # The headline's verdict button filters; the failing case opens from its link.
        b.evaluate("document.querySelector('[data-verdict-filter=FAIL]').click()")
        assert b.evaluate(VISIBLE) == 1
        reset(b)
        b.evaluate("location.hash = '#case-wssc/00/amend-probe'")
        b.evaluate("new Promise(r => setTimeout(r, 50))")
        assert b.evaluate("document.getElementById('case-wssc/00/amend-probe').open") is True
        b.screenshot(tmp_path / "failing-case.png")

        b.evaluate("window.scrollTo(0, 0)")
        shot = b.screenshot(tmp_path / "report.png")
        assert os.path.getsize(shot) > 20000
        assert b.errors() == []


def test_hostile_target_text_stays_inert_in_the_browser(deviating_run, tmp_path):
    """What a target sends is shown, never run: script, markup and attribute breakouts."""
    doc = json.load(open(deviating_run / "report.json"))
    evil = ("<script>document.title='pwned'</script></textarea></pre>\"onload=\"document.title='pwned'\" "
            "'><img src=x onerror=\"document.title='pwned'\"><iframe src='http://example.com/'></iframe>")
    case = doc["cases"][0]
    case["reason"] = "fault " + evil
    case["title"] = evil
    case["evidence"]["notes"].append(evil)
    case["evidence"]["exchanges"][0]["response"]["body"] = evil
    case["evidence"]["exchanges"][0]["url"] = "javascript:document.title='pwned'"
    doc["target"]["name"] = evil
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "report.json").write_text(json.dumps(doc))
    r = parley("report", "html", hostile)
    assert r.returncode == 0, r.stderr
    page = "file://" + str(hostile / "index.html")
    with Browser() as b:
        b.open(page)
        b.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert b.errors() == []
        assert b.requests() == [page]
        assert b.evaluate("document.title").startswith("parley report: <script>")
        assert b.evaluate("document.scripts.length") == 1
        assert b.evaluate("document.querySelectorAll('img, iframe, textarea').length") == 0
        assert b.evaluate("Array.from(document.querySelectorAll('*')).filter(e => e.hasAttribute('onload')"
                          " || e.hasAttribute('onerror')).length") == 0
        reason = b.evaluate("document.querySelector('#case-list .case .reason').textContent")
        assert reason == "Reason: fault " + evil
        b.screenshot(tmp_path / "hostile.png")


def test_comparison_page_loads_and_filters(deviating_run, oracle, tmp_path):
    o = oracle("", name="clean")
    clean = tmp_path / "clean"
    assert parley("run", "--target", o.profile, "--out", clean, "--jobs", "2", *SUBSET).returncode == 0
    merged = tmp_path / "merged"
    assert parley("report", "merge", clean, deviating_run, "--out", merged).returncode == 0
    comparison = json.load(open(merged / "comparison.json"))
    page = "file://" + str(merged / "index.html")
    with Browser() as b:
        b.open(page)
        assert b.errors() == []
        assert b.requests() == [page]
        rows = "Array.from(document.querySelectorAll('tr[data-row=case]')).filter(r => !r.hidden).length"
        assert b.evaluate(rows) == len(comparison["cases"])
        b.evaluate("(() => { const c = document.querySelector('input[name=differ]'); c.checked = true;"
                   " c.dispatchEvent(new Event('change', {bubbles: true})); })()")
        differing = [c for c in comparison["cases"] if len({(r or {}).get("verdict") for r in c["results"]}) > 1]
        assert b.evaluate(rows) == len(differing) == 1
        assert re.match(r"1 cases shown", b.evaluate("document.getElementById('shown').textContent"))
        # Section headings stay only above rows still shown: the case's and its requirement's.
        assert b.evaluate("Array.from(document.querySelectorAll('tr.group')).filter(g => !g.hidden)"
                          ".map(g => g.textContent)") == ["WS-SecureConversation \u00a74"] * 2  # amend-probe cites SC-4-01
        b.screenshot(tmp_path / "comparison.png")
