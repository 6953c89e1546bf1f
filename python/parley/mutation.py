"""The mutation self-test over HTTP (issue 13; docs/mutation.md).

For every fault that `parley serve --list-faults` and `parley client --list-faults` declare (and
the reference relying party's faults once a wif-session suite is registered), start the real
target with that fault, run its suite with `parley run`, read report.json and apply the rule:

  a fault is DETECTED when
    - at least one applicable case citing one of its requirement IDs turns red: FAIL, or WARN
      when the fault breaks no firm MUST: the level rules capped a FAIL (raw_verdict FAIL: every
      requirement the case cites is a SHOULD, MAY, unconfirmed or WCF-profile row), or the case
      itself WARNs and none of the fault's requirements it cites is a firm MUST; ERROR and
      PREREQ_FAILED never count, and
    - every case citing none of them keeps its clean-run verdict, unless COLLATERAL below lists
      it (the fault's description, `--list-faults`, says why it moves).

Clean runs are shared by the faults of one configuration. The default (CI) run restricts each
fault's run to the cases citing its requirements plus a fixed sample of unrelated cases (the
first of each section); `--full` runs the whole suite per fault. suites/mutation_test.cpp is the
same rule in process; SERVICE_SETUPS and COLLATERAL mirror its setup_for() and explained().
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from parley import targets

# --- configurations ------------------------------------------------------------------------------

# The configuration every service fault runs in unless it needs another: a username-token
# bootstrap (so issuance replays are detectable); replay detection and amend are on by default and
# the printed profile claims them.
BASE_SERVICE_CONFIG = """[wssc]
bootstrap = "username-token"

[users]
alice = "wonderland"
"""


class Setup:
    """One configuration of a target: the config text (service / RP), the suite's filters ([]:
    the whole suite) and whether destructive cases run. Faults with equal setups share a clean
    run."""

    def __init__(self, name, config="", filters=(), destructive=False):
        self.name = name
        self.config = config
        self.filters = list(filters)
        self.destructive = destructive

    def key(self):
        return (self.name, self.config, tuple(self.filters), self.destructive)


def _service(name, wssc="", limits="", extra="", filters=(), destructive=False):
    text = BASE_SERVICE_CONFIG.replace('[wssc]\n', '[wssc]\n' + wssc, 1)
    if limits:
        text += "\n[limits]\n" + limits
    if extra:
        text += "\n" + extra
    return Setup(name, text, filters, destructive)


_SHORT_LIFETIME = _service("key-lifetime-1s", limits="key_lifetime_seconds = 1\n",
                           filters=["wssc/03/lifetime-enforced", "wssc/03/lifetime", "wssc/00/*"])

# Faults that only show in another configuration (suites/mutation_test.cpp, setup_for): time-bound
# ones get short key lifetimes; the printed profile then declares what the service is configured
# with.
SERVICE_SETUPS = {
    "dispatch-on-soapaction": _service("soap-1.1", wssc='soap = "1.1"\n'),
    "keys-never-expire": _SHORT_LIFETIME,
    "renew-needed-as-bad-context": _SHORT_LIFETIME,
    "renew-needed-wrong-action": _SHORT_LIFETIME,
    "superseded-keys-never-expire": _service("rollover-1s", limits="rollover_seconds = 1\n"),
    "unbounded-pending-sessions": _service("max-contexts-6", limits="max_contexts = 6\n",
                                           filters=["wssc/10/context-exhaustion", "wssc/00/*"], destructive=True),
    "accept-direct-key": _service("require-derived-keys", wssc="require_derived_keys = true\n"),
    "no-signature-confirmation": _service("signature-confirmation", wssc="signature_confirmation = true\n"),
    "cookie-state-in-clear": _service("cookie-mode", wssc="cancel = false\n",
                                      extra='[cookie]\nenabled = true\nkeys = ["current ' + "01" * 32 + '"]\n'),
}
BASE_SERVICE_SETUP = Setup("username-token", BASE_SERVICE_CONFIG)

# The client suite's profile for the reference client (tests/e2e/test_client_suite.py).
# The reference client as a wssc-client target (scripts/demo uses the same file).
with open(os.path.join(targets.ROOT, "interop", "reference-client.toml")) as _f:
    CLIENT_PROFILE = _f.read()
BASE_CLIENT_SETUP = Setup("reference-client", CLIENT_PROFILE)

# Cases that cite none of a fault's requirements yet legitimately change verdict with it; the
# fault's description (`parley serve --list-faults`) says why. "*": the fault breaks something
# every case depends on. Mirrors suites/mutation_test.cpp, explained().
COLLATERAL = {
    ("service", "reuse-sct-identifier"): {"*"},
    ("service", "relative-sct-identifier"): {"*"},
    ("service", "reversed-lifetime"): {"*"},
    ("service", "swap-computed-key-entropies"): {"*"},
    ("service", "faults-as-bare-500"): {"*"},
    ("service", "amend-new-identifier"): {"wssc/00/amend-probe"},
    ("service", "renew-keeps-instance"): {"wssc/08/instance-selects-key", "wssc/10/replay-renew"},
    ("service", "renew-new-identifier"): {"wssc/00/renew-probe", "wssc/05/renew-response-wrapping",
                                          "wssc/08/instance-selects-key", "wssc/10/replay-renew"},
    ("service", "cancel-is-noop"): {"wssc/05/cancelled-not-renewable", "wssc/06/second-cancel"},
    ("service", "no-requested-token-cancelled"): {"wssc/05/cancelled-not-renewable",
                                                  "wssc/06/cancel-response-wrapping", "wssc/06/second-cancel",
                                                  "wssc/10/replay-cancel"},
    ("service", "resolve-unknown-identifier"): {"wssc/06/cancelled-refused", "wssc/09/fault-qname"},
    ("service", "wrong-fault-namespace"): {"wssc/07/no-source", "wssc/08/instance-selects-key",
                                           "wssc/10/replay-cancel"},
    # The client suite (`parley client --list-faults` says why; suites/wssc_client_test.cpp only
    # runs the catching cases, so these are the HTTP run's own).
    ("client", "no-derived-keys"): {"wssc-client/07/dkt-nonce", "wssc-client/07/dkt-shape",
                                    "wssc-client/07/fresh-dkt-nonces", "wssc-client/07/separate-keys"},
    ("client", "reuse-dkt-nonce"): {"wssc-client/07/separate-keys"},
    ("client", "unsigned-addressing"): {"*"},
    # The RP (wif-session suite): the description says the old cookie still works after sign-out,
    # which is what replay-after-signout (RP-OUT-03) reports.
    ("rp", "keep-cache-entry-on-signout"): {"wif/07/replay-after-signout"},
    ("client", "ignore-renew-needed"): {"wssc-client/05/one-exchange-per-renewal",
                                        "wssc-client/05/renew-proves-possession", "wssc-client/05/renew-request",
                                        "wssc-client/10/hostile-renew-forged", "wssc-client/10/hostile-renew-tampered"},
}

# A fault family the mutation test leaves out: hostile transport behaviour (slow or garbled
# peers) is for the robustness tests, not a non-conformance a case cites.
EXCLUDED_PREFIXES = ("hostile-",)
EXCLUDED_MARKER = "excluded from mutation"

# RP faults that only show in another mode of the reference RP ([rp] keys added to the base
# config): a sign-out that keeps the cache entry needs the session cache (reference mode).
RP_SETUPS = {
    "keep-cache-entry-on-signout": ("reference-rp-by-reference", 'mode = "reference"\n'),
}

SUITES = {"service": "wssc-service", "client": "wssc-client", "rp": "wif-session"}


class Fault:
    def __init__(self, kind, name, requirements, description):
        self.kind = kind
        self.name = name
        self.requirements = requirements
        self.description = description

    @property
    def key(self):
        return (self.kind, self.name)

    def excluded(self):
        if self.name.startswith(EXCLUDED_PREFIXES) or EXCLUDED_MARKER in self.description.lower():
            return "excluded from mutation (its description or family says so)"
        return None


def parse_fault_list(kind, text):
    """`--list-faults` output: name TAB requirement IDs (comma-separated) TAB description."""
    faults = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{kind} --list-faults: malformed line {line!r}")
        name, reqs, description = parts
        faults.append(Fault(kind, name, [r for r in reqs.split(",") if r], description))
    return faults


# --- the rule ------------------------------------------------------------------------------------


def firm_must(requirement):
    """A requirement the level rules never cap: a MUST (the catalog's level_text "MUST", "MUST
    NOT", "MAY/MUST", "MUST when used" ...) whose source is not unconfirmed (status U)."""
    return "MUST" in requirement.get("level", "").upper() and requirement.get("status") != "U"


def red(case, fault_requirements=()):
    """The case turned red for the fault: FAIL; or a WARN that the level rules capped from a
    FAIL (raw_verdict FAIL); or the case's own WARN when none of the fault's requirements it
    cites is a firm MUST (a SHOULD / MAY / PROFILE deviation, for which WARN is the strongest
    verdict the suite gives). ERROR and PREREQ_FAILED never count."""
    if case["verdict"] == "FAIL":
        return True
    if case["verdict"] != "WARN":
        return False
    if case.get("raw_verdict") == "FAIL":
        return True
    cited = [q for q in case.get("requirements", []) if q["id"] in fault_requirements]
    return bool(cited) and not any(firm_must(q) for q in cited)


CLEAN_VERDICTS = {"PASS", "INFO", "NOT_APPLICABLE"}


def judge(fault, clean_cases, faulty_cases, collateral=frozenset()):
    """Applies the mutation rule to one fault. clean_cases / faulty_cases: case id -> report.json
    case. Only cases present in the faulty run are judged (a filtered run judges its filter).
    Returns a dict: expected, flipped, moved (unrelated cases that changed: id -> "A -> B"),
    explained (those COLLATERAL covers), unexplained, detected, why."""
    reqs = set(fault.requirements)
    expected, flipped, moved, explained, unexplained, missing = [], [], {}, [], [], []
    for cid in sorted(faulty_cases):
        f = faulty_cases[cid]
        c = clean_cases.get(cid)
        if c is None:
            missing.append(cid)
            continue
        cites = any(q["id"] in reqs for q in f.get("requirements", []))
        if cites:
            if c["verdict"] == "NOT_APPLICABLE":
                continue
            expected.append(cid)
            if red(f, reqs) and not red(c, reqs):
                flipped.append(cid)
            continue
        if f["verdict"] == c["verdict"]:
            continue
        moved[cid] = f"{c['verdict']} -> {f['verdict']}"
        if "*" in collateral or cid in collateral:
            explained.append(cid)
        else:
            unexplained.append(cid)
    if missing:
        why = "cases missing from the clean run: " + ", ".join(missing)
    elif not expected:
        why = "no applicable case cites its requirements"
    elif not flipped:
        why = "no case citing its requirements turned red"
    elif unexplained:
        why = "unrelated cases moved: " + ", ".join(f"{cid} ({moved[cid]})" for cid in unexplained)
    else:
        why = ""
    return {"expected": expected, "flipped": flipped, "moved": moved, "explained": explained,
            "unexplained": unexplained, "detected": not why, "why": why}


def ci_filters(fault, catalog_cases, setup):
    """The CI subset for one fault: the setup's own filters when it has some (they are small);
    else every case citing the fault's requirements plus the first case of each section that
    cites none of them (a fixed sample showing nothing else moves)."""
    if setup.filters:
        return list(setup.filters)
    reqs = set(fault.requirements)
    related, sample, seen_sections = [], [], set()
    for case in sorted(catalog_cases, key=lambda c: c["id"]):
        if case.get("destructive") and not setup.destructive:
            continue
        if reqs.intersection(case["requirements"]):
            related.append(case["id"])
            continue
        section = case["id"].split("/")[1] if case["id"].count("/") >= 2 else ""
        if section not in seen_sections:
            seen_sections.add(section)
            sample.append(case["id"])
    return related + sample


# --- running -------------------------------------------------------------------------------------


class Runner:
    def __init__(self, parley, out, full=False, jobs=2, run_jobs=2, max_wait=4, log=print):
        self.parley = parley
        self.out = out
        self.full = full
        self.jobs = jobs
        self.run_jobs = run_jobs
        self.max_wait = max_wait
        self.log = log
        self._catalogs = {}
        self._pki = None

    # The targets -------------------------------------------------------------------------------

    def list_faults(self, kinds=("service", "client", "rp")):
        faults = []
        if "service" in kinds:
            r = targets.run_parley(self.parley, "serve", "--list-faults")
            if r.returncode != 0:
                raise RuntimeError("parley serve --list-faults failed: " + r.stderr)
            faults += parse_fault_list("service", r.stdout)
        if "client" in kinds:
            r = targets.run_parley(self.parley, "client", "--list-faults")
            if r.returncode != 0:
                raise RuntimeError("parley client --list-faults failed: " + r.stderr)
            faults += parse_fault_list("client", r.stdout)
        if "rp" in kinds:
            # A config with an [rp] table is enough to list the reference RP's faults.
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "rp.toml")
                with open(path, "w") as f:
                    f.write("[rp]\n")
                r = targets.run_parley(self.parley, "serve", "--config", path, "--list-faults")
            if r.returncode != 0:
                raise RuntimeError("parley serve --config rp.toml --list-faults failed: " + r.stderr)
            faults += parse_fault_list("rp", r.stdout)
        return faults

    def suite_cases(self, kind):
        """`parley list --suite S --format json`, or None when the suite is not registered."""
        if kind not in self._catalogs:
            r = targets.run_parley(self.parley, "list", "--suite", SUITES[kind], "--format", "json")
            self._catalogs[kind] = json.loads(r.stdout) if r.returncode == 0 else None
        return self._catalogs[kind]

    def setup_for(self, fault):
        if fault.kind == "service":
            return SERVICE_SETUPS.get(fault.name, BASE_SERVICE_SETUP)
        if fault.kind == "client":
            return BASE_CLIENT_SETUP
        return self.rp_setup(fault.name)

    def rp_setup(self, fault_name):
        # The reference RP over TLS with scripts/gen-certs' PKI and the test STS mounted on it (as
        # tests/e2e/conftest.py's rp_config), by value unless RP_SETUPS says otherwise; the PKI is
        # made on first use only.
        if self._pki is None:
            self._pki = os.path.join(self.out, "rp-pki")
            subprocess.run([os.path.join(targets.ROOT, "scripts", "gen-certs"), self._pki], check=True,
                           capture_output=True)
        pki = self._pki
        name, rp = RP_SETUPS.get(fault_name, ("reference-rp", ""))
        config = (f'[server]\ntls = true\ncertificate = "{pki}/server.pem"\nprivate_key = "{pki}/server.key"\n'
                  f'[rp]\nca_file = "{pki}/ca.pem"\n{rp}'
                  f'[rp.cookie]\nmachine_key_decryption_key = "{"11" * 32}"\n'
                  f'machine_key_validation_key = "{"22" * 64}"\n'
                  f'[sts]\nsigning_certificate = "{pki}/sts.pem"\nsigning_key = "{pki}/sts.key"\n')
        # The wif-session suite's destructive cases (chunk floods, cache eviction) are what some
        # RP faults break.
        return Setup(name, config, destructive=True)

    def skip_reason(self, fault):
        reason = fault.excluded()
        if reason:
            return reason
        if self.suite_cases(fault.kind) is None:
            return f"no {SUITES[fault.kind]} suite registered (`parley list --suite {SUITES[fault.kind]}` fails)"
        return None

    def run_once(self, kind, setup, directory, fault=None, filters=()):
        """Starts the target of `kind` in `setup` (with `fault`), runs its suite; returns
        (report or None, error text or None)."""
        extra = ["--jobs", str(self.run_jobs), "--max-wait", str(self.max_wait), "--seed", "1"]
        if setup.destructive:
            extra.append("--allow-destructive")
        out = os.path.join(directory, "report")
        if os.path.exists(out):
            shutil.rmtree(out)
        if kind == "client":
            profile = os.path.join(directory, "client.toml")
            os.makedirs(directory, exist_ok=True)
            with open(profile, "w") as f:
                f.write(setup.config)
            command = f"{shlex.quote(self.parley)} client --harness"
            if fault:
                command += f" --fault {shlex.quote(fault.name)}"
            r, report = targets.parley_run(self.parley, profile, out, suite=SUITES[kind], filters=filters,
                                           extra=extra + ["--exec", command])
        else:
            try:
                serve = targets.Serve(self.parley, directory, setup.config, faults=[fault.name] if fault else [])
            except RuntimeError as e:
                return None, str(e)
            try:
                r, report = targets.parley_run(self.parley, serve.profile, out, suite=SUITES[kind],
                                               filters=filters, extra=extra)
            finally:
                rc = serve.stop()
            if rc != 0 and report is not None:
                return report, f"parley serve exited {rc}: {serve.log()[-2000:]}"
        if report is None:
            return None, f"parley run exited {r.returncode} without report.json: {r.stderr.strip()[-2000:]}"
        if r.returncode not in (0, 1):
            return report, f"parley run exited {r.returncode}: {r.stderr.strip()[-2000:]}"
        return report, None

    # The whole run -----------------------------------------------------------------------------

    def run(self, only=None, kinds=("service", "client", "rp")):
        started = time.monotonic()
        faults = self.list_faults(kinds)
        if only:
            unknown = set(only) - {f.name for f in faults}
            if unknown:
                raise ValueError("no such fault: " + ", ".join(sorted(unknown)))
            faults = [f for f in faults if f.name in only]
        os.makedirs(self.out, exist_ok=True)
        skipped = {f.key: self.skip_reason(f) for f in faults}
        runnable = [f for f in faults if not skipped[f.key]]

        # One clean run per configuration, with the union of what its faults run.
        setups, clean_filters = {}, {}
        fault_filters = {}
        for f in runnable:
            setup = self.setup_for(f)
            key = (f.kind,) + setup.key()
            setups[key] = setup
            filters = list(setup.filters) if self.full else ci_filters(f, self.suite_cases(f.kind), setup)
            fault_filters[f.key] = filters
            if not filters:
                clean_filters[key] = None  # the whole suite
            elif clean_filters.get(key, ()) is not None:
                clean_filters.setdefault(key, set()).update(filters)
        jobs = []
        for key, setup in setups.items():
            filters = clean_filters.get(key)
            jobs.append(("clean", key, setup, None, sorted(filters) if filters else []))
        for f in runnable:
            setup = self.setup_for(f)
            jobs.append(("fault", (f.kind,) + setup.key(), setup, f, fault_filters[f.key]))

        results = {}

        def work(job):
            what, key, setup, fault, filters = job
            kind = key[0]
            name = f"clean-{kind}-{setup.name}" if what == "clean" else f"{kind}-{fault.name}"
            t0 = time.monotonic()
            report, error = self.run_once(kind, setup, os.path.join(self.out, "runs", name), fault, filters)
            self.log(f"  {name}: {time.monotonic() - t0:.1f} s" + (f" ({error.splitlines()[0]})" if error else ""))
            return job, report, error

        self.log(f"mutation: {len(runnable)} faults in {len(setups)} configurations "
                 f"({'full suite' if self.full else 'CI subset'}), {self.jobs} workers")
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.jobs) as pool:
            for job, report, error in pool.map(work, jobs):
                results[(job[0], job[1], job[3].key if job[3] else None)] = (report, error)

        rows, problems = [], []
        for key, setup in setups.items():
            report, error = results[("clean", key, None)]
            if error:
                problems.append(f"clean run {key[0]}/{setup.name}: {error}")
            for c in (report or {}).get("cases", []):
                if c["verdict"] not in CLEAN_VERDICTS:
                    problems.append(f"clean run {key[0]}/{setup.name}: {c['id']} is {c['verdict']}: {c['reason']}")
        for f in faults:
            row = {"kind": f.kind, "suite": SUITES[f.kind], "fault": f.name, "requirements": f.requirements,
                   "description": f.description}
            if skipped[f.key]:
                row.update(status="skipped", detected=None, why=skipped[f.key])
                rows.append(row)
                continue
            setup = self.setup_for(f)
            key = (f.kind,) + setup.key()
            clean, clean_error = results[("clean", key, None)]
            faulty, error = results[("fault", key, f.key)]
            row["configuration"] = setup.name
            row["filters"] = fault_filters[f.key]
            if clean is None or faulty is None:
                row.update(status="error", detected=False, why=error or clean_error, expected=[], flipped=[])
                rows.append(row)
                continue
            verdict = judge(f, {c["id"]: c for c in clean["cases"]}, {c["id"]: c for c in faulty["cases"]},
                            COLLATERAL.get(f.key, frozenset()))
            if error and verdict["detected"]:
                verdict.update(detected=False, why=error)
            row.update(verdict)
            row["status"] = "detected" if verdict["detected"] else "missed"
            row["judged_cases"] = len(faulty["cases"])
            rows.append(row)
        considered = [r for r in rows if r["status"] != "skipped"]
        detected = sum(1 for r in considered if r["detected"])
        score = 100.0 * detected / len(considered) if considered else 0.0
        result = {
            "command": "scripts/mutation" + (" --full" if self.full else ""),
            "mode": "full" if self.full else "ci",
            "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "faults": len(considered),
            "detected": detected,
            "skipped": len(rows) - len(considered),
            "score": round(score, 2),
            "clean_problems": problems,
            "seconds": round(time.monotonic() - started, 1),
            "table": rows,
        }
        return result


# --- output --------------------------------------------------------------------------------------


def _cell(items, limit=None):
    items = list(items)
    if not items:
        return "-"
    shown = items if limit is None or len(items) <= limit else items[:limit] + [f"... ({len(items) - limit} more)"]
    return ", ".join(f"`{i}`" if not i.startswith("...") else i for i in shown)


def markdown(result):
    """The mutation table as Markdown (fault -> requirements -> cases expected -> flipped ->
    detected), with the score and the command."""
    lines = [f"Mutation score: **{result['detected']} of {result['faults']} faults detected "
             f"({result['score']:g} %)**"
             + (f"; {result['skipped']} skipped" if result["skipped"] else "")
             + f". Mode: {'whole suite per fault' if result['mode'] == 'full' else 'CI subset'}; "
             f"`{result['command']}`.", ""]
    if result["clean_problems"]:
        lines += ["Clean runs that were not clean:", ""] + [f"- {p}" for p in result["clean_problems"]] + [""]
    thin = [r for r in result["table"] if r.get("detected") and len(r.get("flipped", [])) == 1]
    if thin:
        lines += [f"{len(thin)} of the detected faults turn a single case red (a thin check; issue 13 asks "
                  "for every important requirement to be guarded twice).", ""]
    lines += ["| target | fault | configuration | requirements | cases expected | cases flipped | detected |",
              "|---|---|---|---|---|---|---|"]
    for r in result["table"]:
        if r["status"] == "skipped":
            detected = f"skipped: {r['why']}"
        elif r["detected"]:
            detected = "yes" + (f" ({len(r['explained'])} explained collateral)" if r.get("explained") else "")
        else:
            detected = f"**NO**: {r['why']}"
        lines.append(f"| {r['suite']} | `{r['fault']}` | {r.get('configuration', '-')} | "
                     f"{', '.join(r['requirements'])} | {_cell(r.get('expected', []), 6)} | "
                     f"{_cell(r.get('flipped', []))} | {detected} |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- mutation-table:begin -->", "<!-- mutation-table:end -->"


def update_doc(path, result):
    """Replaces the text between the mutation-table markers of `path` with the table."""
    with open(path) as f:
        text = f.read()
    head, sep, rest = text.partition(BEGIN)
    if not sep or END not in rest:
        raise ValueError(f"{path}: no {BEGIN} ... {END} markers")
    tail = rest.partition(END)[2]
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n" + markdown(result) + END + tail)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="run the whole suite per fault (default: the CI subset)")
    ap.add_argument("--out", default=os.path.join(targets.ROOT, "out", "mutation"),
                    help="where runs, mutation.json and mutation.md go (default out/mutation)")
    ap.add_argument("--parley-bin", help="the parley binary (default $PARLEY_BIN, build/bin/parley)")
    ap.add_argument("--jobs", type=int, default=2, help="faults run in parallel (default 2)")
    ap.add_argument("--kind", action="append", choices=sorted(SUITES), default=[],
                    help="only faults of this target: service, client, rp (repeatable; default all)")
    ap.add_argument("--only", action="append", default=[], metavar="FAULT", help="only this fault (repeatable)")
    ap.add_argument("--update-doc", metavar="FILE", help="also write the table into FILE (docs/mutation.md)")
    ap.add_argument("--keep-runs", action="store_true", help="keep every run's report directory and log")
    args = ap.parse_args(argv)

    parley = targets.find_parley(args.parley_bin)
    out = os.path.abspath(args.out)
    runner = Runner(parley, out, full=args.full, jobs=args.jobs)
    result = runner.run(only=set(args.only) or None, kinds=tuple(args.kind) or tuple(SUITES))
    with open(os.path.join(out, "mutation.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = markdown(result)
    with open(os.path.join(out, "mutation.md"), "w") as f:
        f.write(md)
    if args.update_doc:
        update_doc(args.update_doc, result)
    if not args.keep_runs:
        # Runs of detected faults are not needed; missed ones (and clean runs) stay for diagnosis.
        keep = {f"{r['kind']}-{r['fault']}" for r in result["table"] if r["status"] in ("missed", "error")}
        runs = os.path.join(out, "runs")
        for name in os.listdir(runs) if os.path.isdir(runs) else []:
            if not name.startswith("clean-") and name not in keep:
                shutil.rmtree(os.path.join(runs, name), ignore_errors=True)
    for r in result["table"]:
        if r["status"] in ("missed", "error"):
            print(f"NOT DETECTED {r['kind']}/{r['fault']}: {r['why']} (runs/{r['kind']}-{r['fault']}/)")
    for p in result["clean_problems"]:
        print("CLEAN RUN PROBLEM: " + p)
    print(f"mutation score: {result['detected']}/{result['faults']} ({result['score']:g} %)"
          + (f", {result['skipped']} skipped" if result["skipped"] else "")
          + f" in {result['seconds']:g} s; table: {os.path.join(out, 'mutation.md')}")
    ok = result["faults"] > 0 and result["detected"] == result["faults"] and not result["clean_problems"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
