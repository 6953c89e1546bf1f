"""pytest plugin: parley's conformance cases as pytest items, for teams that gate releases with pytest.

    PYTHONPATH=/path/to/parley/python pytest -p parley.pytest_plugin --parley-target PROFILE.toml \\
        [--parley-suite wssc-service] [--parley-bin PATH] [--parley-out DIR] [--parley-strict] \\
        [--parley-arg=--exec --parley-arg='my-client --flags'] ...

Collection lists the suite (`parley list --suite S --format json`): one item per case, named by
the case ID, with markers `parley`, `level_must` / `level_should` / `level_may` / `level_profile`
(the strongest level the case cites, as report.json's "level") and `section_N` (the section of its
first requirement), so `-k hostile` or `-m "level_must and section_10"` select cases. The first
item to run starts `parley run` once for the session (with `--filter` for the selected cases when
not all are), and every item then reports its case's verdict from report.json:

    PASS, INFO                      passed (INFO's reason is shown with -rA)
    NOT_APPLICABLE                  skipped, with the reason
    FAIL, ERROR, PREREQ_FAILED      failed, with the reason, the requirements and the replay command
    WARN                            xfail (reported, not a failure, as `parley run` counts it);
                                    --parley-strict makes it a failure, as `parley run --strict`

Each item carries user_properties (verdict, level, section, requirements, replay), which
--junitxml writes as properties. The report directory (index.html, report.json, junit.xml) is
kept and named in the terminal summary.
"""
import json
import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

import pytest

from parley import targets

LEVEL_RANK = {"MUST": 3, "SHOULD": 2, "PROFILE": 1, "MAY": 0}


def pytest_addoption(parser):
    group = parser.getgroup("parley", "parley conformance suites")
    group.addoption("--parley-target", metavar="PROFILE", help="target profile (TOML); enables the plugin")
    group.addoption("--parley-suite", default="wssc-service", help="suite to run (default wssc-service)")
    group.addoption("--parley-bin", metavar="PATH", help="the parley binary (default $PARLEY_BIN, then PATH)")
    group.addoption("--parley-out", metavar="DIR", help="report directory (default a new temporary directory)")
    group.addoption("--parley-strict", action="store_true", help="WARN fails, as `parley run --strict`")
    group.addoption("--parley-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for `parley run` (repeatable), e.g. --parley-arg=--exec "
                         "--parley-arg='client --harness' for a client suite")


def pytest_configure(config):
    config.addinivalue_line("markers", "parley: a parley conformance case (parley.pytest_plugin)")
    for level in LEVEL_RANK:
        config.addinivalue_line("markers", f"level_{level.lower()}: parley case whose strongest cited level is {level}")
    if not config.getoption("parley_target"):
        return
    if not os.path.isfile(config.getoption("parley_target")):
        raise pytest.UsageError(f"--parley-target {config.getoption('parley_target')}: no such file")
    try:
        config._parley = ParleySession(config)
    except FileNotFoundError as e:
        raise pytest.UsageError(str(e))
    # The profile is collected like a test file: its cases are items of the normal collection, so
    # -k, -m, --collect-only and the counts behave as for any test. First, so that a directory
    # argument containing it finds it collected already (pytest_collect_file) and skips it.
    config.args.insert(0, config._parley.target)


def normalized_level(requirement):
    """The catalog's level words ("MUST NOT", "RECOMMENDED", "MAY/MUST" ...) as MUST, SHOULD,
    MAY or PROFILE."""
    text = requirement.get("level", "").upper()
    if "MUST" in text:
        return "MUST"
    if text.startswith(("SHOULD", "RECOMMENDED")):
        return "SHOULD"
    if text.startswith("PROFILE"):
        return "PROFILE"
    return "MAY"


def case_level_and_section(case, catalog):
    """As report.json says it (harness/report/machine_report.cpp): the strongest level the case
    cites, and the section of its first known requirement."""
    level, section = "MAY", ""
    for rid in case["requirements"]:
        req = catalog.get(rid)
        if req is None:
            continue
        if not section:
            section = req.get("section", "")
        candidate = normalized_level(req)
        if LEVEL_RANK[candidate] > LEVEL_RANK[level]:
            level = candidate
    return level, section


def marker_name(prefix, value):
    return prefix + "_" + re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").lower()


class ParleySession:
    """What the plugin knows for one pytest session: the binary, the listed cases, and after the
    first item runs, report.json."""

    def __init__(self, config):
        opt = config.option
        self.config = config
        self.target = os.path.abspath(opt.parley_target)
        self.suite = opt.parley_suite
        self.parley = targets.find_parley(opt.parley_bin)
        self.out = os.path.abspath(opt.parley_out) if opt.parley_out else tempfile.mkdtemp(prefix="parley-report-")
        self.strict = opt.parley_strict
        self.extra = list(opt.parley_arg)
        self.result = None  # (CompletedProcess, report or None, case id -> case)
        self.command = None
        self.collected = False
        self.all_ids = []

    def list_cases(self):
        r = targets.run_parley(self.parley, "list", "--suite", self.suite, "--format", "json")
        if r.returncode != 0:
            raise pytest.UsageError(f"parley list --suite {self.suite}: {r.stderr.strip()}")
        cases = json.loads(r.stdout)
        r = targets.run_parley(self.parley, "list", "--requirements", "--format", "json")
        catalog = {q["id"]: q for q in json.loads(r.stdout)} if r.returncode == 0 else {}
        return cases, catalog

    def run(self, selected_ids, all_ids):
        if self.result is not None:
            return self.result
        filters = [] if set(selected_ids) >= set(all_ids) else sorted(selected_ids)
        args = ["run", "--target", self.target, "--suite", self.suite, "--out", self.out, "--no-progress"]
        for f in filters:
            args += ["--filter", f]
        args += self.extra
        self.command = " ".join(shlex.quote(a) for a in [self.parley, *args])
        r = subprocess.run([self.parley, *args], capture_output=True, text=True)
        report = None
        path = os.path.join(self.out, "report.json")
        if os.path.exists(path):
            with open(path) as f:
                report = json.load(f)
        self.result = (r, report, {c["id"]: c for c in (report or {}).get("cases", [])})
        return self.result


class ParleyFailure(Exception):
    """A case that FAILed, ERRORed or whose prerequisite failed: shown as its reason, not a traceback."""


class ParleyCollector(pytest.File):
    """The target profile as the parent of its cases."""

    def collect(self):
        ps = self.config._parley
        cases, catalog = ps.list_cases()
        ps.all_ids = [c["id"] for c in cases]
        for case in cases:
            level, section = case_level_and_section(case, catalog)
            item = ParleyItem.from_parent(self, name=case["id"])
            item.case = case
            item.level = level
            item.section = section
            item.add_marker(pytest.mark.parley)
            item.add_marker(getattr(pytest.mark, marker_name("level", level)))
            if section:
                name = marker_name("section", section)
                self.config.addinivalue_line("markers", f"{name}: parley cases of section {section}")
                item.add_marker(getattr(pytest.mark, name))
            yield item


class ParleyItem(pytest.Item):
    def runtest(self):
        ps = self.config._parley
        parley_items = [i for i in self.session.items if isinstance(i, ParleyItem)]
        r, report, verdicts = ps.run([i.name for i in parley_items], ps.all_ids)
        case = verdicts.get(self.name)
        if case is None:
            raise ParleyFailure(f"{self.name}: not in report.json (`{ps.command}` exited {r.returncode}):\n"
                                f"{r.stderr.strip()}")
        verdict = case["verdict"]
        reqs = ", ".join(q["id"] for q in case.get("requirements", []))
        self.user_properties += [("parley_verdict", verdict), ("parley_level", case.get("level", self.level)),
                                 ("parley_section", case.get("section", self.section)),
                                 ("parley_requirements", reqs), ("parley_replay", case.get("replay", ""))]
        if verdict in ("PASS", "INFO"):
            if verdict == "INFO":
                self.add_report_section("call", "parley", f"INFO: {case['reason']}")
            return
        if verdict == "NOT_APPLICABLE":
            # Reported at the case, not at this line.
            raise pytest.skip.Exception(f"NOT_APPLICABLE: {case['reason']}", _use_item_location=True)
        if verdict == "WARN" and not ps.strict:
            pytest.xfail(f"WARN: {case['reason']}")
        raise ParleyFailure(f"{verdict}: {case['reason']}\n  requirements: {reqs}\n  replay: {case.get('replay', '')}")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ParleyFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"parley {self.name}"


def pytest_collect_file(file_path, parent):
    # The target profile is added to the collection arguments (pytest_configure); its cases are
    # collected once, however often the path comes up.
    ps = getattr(parent.config, "_parley", None)
    if ps is None or ps.collected or os.path.abspath(str(file_path)) != ps.target:
        return None
    ps.collected = True
    return ParleyCollector.from_parent(parent, path=Path(file_path))


def pytest_terminal_summary(terminalreporter, config):
    ps = getattr(config, "_parley", None)
    if ps is None or ps.result is None:
        return
    r, report, _ = ps.result
    terminalreporter.write_sep("-", "parley")
    terminalreporter.write_line(f"{ps.command}  (exit {r.returncode})")
    if report is not None:
        counts = ", ".join(f"{v} {k}" for k, v in report["summary"]["by_verdict"].items() if v)
        terminalreporter.write_line(f"report: {ps.out}/index.html ({counts})")
