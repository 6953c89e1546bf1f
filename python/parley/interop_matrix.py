"""The interop matrix (issue 13): the wssc-service suite against every runnable target (the oracle
in each of its modes, Apache WSS4J through its shim) and the wssc-client suite against the
reference client, and the wif-session suite against the reference relying party, merged with
`parley report merge` into one comparison, one column per
implementation. scripts/interop-matrix is the command; reports/samples/interop-matrix/ the result.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from parley import targets
from parley.mutation import CLIENT_PROFILE

SCT_ID = "urn:uuid:5a3b1e2c-0d4f-4e6a-9b7c-8d9e0f1a2b3c"


def oracle_modes(pki):
    """(column name, label, oracle config, profile additions) for each oracle mode."""
    users = '[users]\nalice = "wonderland"\n'
    certs = (f'[message_security]\ncertificate = "{pki}/server.pem"\nprivate_key = "{pki}/server.key"\n'
             f'trusted_ca = "{pki}/ca.pem"\n')
    client_cert = f'client_certificate_file = "{pki}/client.pem"\nclient_key_file = "{pki}/client.key"\n'
    return [
        ("oracle-default", "parley oracle: SOAP 1.2, WS-SC 1.3, no bootstrap", "", ""),
        ("oracle-feb2005-soap11", "parley oracle: SOAP 1.1, WS-SC Feb 2005",
         '[wssc]\nsoap = "1.1"\naddressing = "2004/08"\nsc_version = "feb2005"\n', ""),
        ("oracle-username-token", "parley oracle: username-token bootstrap",
         '[wssc]\nbootstrap = "username-token"\n' + users, ""),
        ("oracle-x509-mutual", "parley oracle: x509-mutual bootstrap",
         '[wssc]\nbootstrap = "x509-mutual"\n' + certs, client_cert),
        ("oracle-cookie-mode", "parley oracle: cookie mode (stateless SCTs)",
         '[wssc]\ncancel = false\n[cookie]\nenabled = true\nkeys = ["matrix ' + "02" * 32 + '"]\n', ""),
    ]


def relabel(profile_text, label, credentials=""):
    text = re.sub(r'(?m)^name = ".*"$', f'name = "{label}"', profile_text, count=1)
    if credentials:
        text = text.replace("[credentials]\n", "[credentials]\n" + credentials, 1)
    return text


def run_suite(parley, profile, out, suite="wssc-service", extra=()):
    if os.path.exists(out):
        shutil.rmtree(out)
    r, report = targets.parley_run(parley, profile, out, suite=suite,
                                   extra=["--redact", "--seed", "1", "--jobs", "2", *extra])
    if report is None or r.returncode not in (0, 1):
        raise RuntimeError(f"parley run {out}: exit {r.returncode}: {r.stderr.strip()[-2000:]}")
    return report


def run_oracle(parley, work, runs, mode):
    name, label, config, credentials = mode
    with targets.Serve(parley, os.path.join(work, name), config, name=name) as serve:
        profile = os.path.join(runs, name, "profile.toml")
        os.makedirs(os.path.dirname(profile), exist_ok=True)
        with open(serve.profile) as f:
            text = relabel(f.read(), label, credentials)
        with open(profile, "w") as f:
            f.write(text)
        return run_suite(parley, profile, os.path.join(runs, name, "report"))


def run_wss4j(parley, work, runs):
    """Apache WSS4J 1.6 behind interop/wss4j's shim, with a pre-shared SCT (as scripts/gen-samples)."""
    key = os.urandom(32).hex()
    log_path = os.path.join(work, "wss4j.log")
    env = dict(os.environ)
    env.setdefault("PARLEY_BUILD_DIR", os.path.dirname(os.path.dirname(parley)))
    with open(log_path, "w") as log:
        proc = subprocess.Popen([os.path.join(targets.ROOT, "scripts", "wss4j"), "serve", "--port", "0", "--sct-id",
                                 SCT_ID, "--key", key, "--version", "05/12"], stdout=log, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 180  # the first start compiles the shim
        while time.monotonic() < deadline and url is None:
            with open(log_path) as f:
                m = re.search(r"listening on (http://\S+)", f.read())
            if m:
                url = m.group(1)
            elif proc.poll() is not None:
                break
            else:
                time.sleep(0.1)
        if url is None:
            with open(log_path) as f:
                raise RuntimeError("scripts/wss4j serve did not start:\n" + f.read()[-2000:])
        profile = os.path.join(runs, "wss4j", "profile.toml")
        os.makedirs(os.path.dirname(profile), exist_ok=True)
        with open(profile, "w") as f:
            f.write(f"""[target]
name = "Apache WSS4J 1.6 (interop shim, pre-shared SCT)"
kind = "wssc-service"

[wssc]
service_url = "{url}service"
soap = "1.2"
addressing = "1.0"
sc_version = "1.3"
bootstrap = "preshared-sct"
protection = "derived-keys"
algorithm_suite = "Basic256"

[credentials]
sct_identifier = "{SCT_ID}"
sct_key = "{key}"

[capabilities]
renew = false
cancel = false
amend = false
encryption = true
""")
        report = run_suite(parley, profile, os.path.join(runs, "wss4j", "report"))
        # The key is random per run and redacted in the report; the kept profile must not carry it.
        with open(profile) as f:
            text = f.read().replace(key, "[redacted: random per run]")
        with open(profile, "w") as f:
            f.write(text)
        return report
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def rp_config(pki, cache=""):
    """The reference relying party over TLS (gen-certs' server certificate), WS-Federation through
    the test STS, machine-key cookie transforms; by value unless `cache` says otherwise."""
    return (f'[server]\ntls = true\ncertificate = "{pki}/server.pem"\nprivate_key = "{pki}/server.key"\n'
            f'[rp]\nca_file = "{pki}/ca.pem"\n'
            f'[rp.cookie]\nmachine_key_decryption_key = "{"11" * 32}"\n'
            f'machine_key_validation_key = "{"22" * 64}"\n{cache}'
            f'[sts]\nsigning_certificate = "{pki}/sts.pem"\nsigning_key = "{pki}/sts.key"\n')


def run_rp(parley, work, runs, pki):
    """The wif-session suite against the reference RP (by value, one node)."""
    name = "reference-rp"
    with targets.Serve(parley, os.path.join(work, name), rp_config(pki), name=name) as serve:
        profile = os.path.join(runs, name, "profile.toml")
        os.makedirs(os.path.dirname(profile), exist_ok=True)
        with open(serve.profile) as f:
            text = relabel(f.read(), "parley reference RP (WIF cookies by value)")
        with open(profile, "w") as f:
            f.write(text)
        return run_suite(parley, profile, os.path.join(runs, name, "report"), suite="wif-session")


def run_client(parley, runs):
    profile = os.path.join(runs, "reference-client", "profile.toml")
    os.makedirs(os.path.dirname(profile), exist_ok=True)
    with open(profile, "w") as f:
        f.write(CLIENT_PROFILE)
    return run_suite(parley, profile, os.path.join(runs, "reference-client", "report"), suite="wssc-client",
                     extra=["--exec", f"{shlex.quote(parley)} client --harness"])


def run_wss4j_client(parley, runs):
    """The wssc-client suite against the WSS4J client (interop/wss4j/Wss4jClient.java), one JVM per
    scenario (--exec keeps each scenario's client output in the report)."""
    name = "wss4j-client"
    profile = os.path.join(runs, name, "profile.toml")
    os.makedirs(os.path.dirname(profile), exist_ok=True)
    shutil.copyfile(os.path.join(targets.ROOT, "interop", "wss4j", "client.toml"), profile)
    wss4j = shlex.quote(os.path.join(targets.ROOT, "scripts", "wss4j"))
    os.environ.setdefault("PARLEY_BUILD_DIR", os.path.dirname(os.path.dirname(os.path.abspath(parley))))
    return run_suite(parley, profile, os.path.join(runs, name, "report"), suite="wssc-client",
                     extra=["--exec", f"{wss4j} client"])


def summary_markdown(columns, comparison, command):
    lines = ["# Interop matrix", "",
             "The wssc-service suite against every runnable target, the wssc-client suite against the",
             "reference client and the wif-session suite against the reference relying party, merged by",
             "`parley report merge` (one column per implementation). Regenerate:",
             "", "```sh", command, "```", "",
             "`index.html` is the comparison page (filter \"rows where the runs differ\"), `comparison.json` its",
             "data, and `profiles/` the profile each column ran with (`PKI` is the directory `scripts/gen-certs`",
             "made for the run). The per-run pages it links to are written to the runs directory (default",
             "`out/interop-matrix/runs/`, not checked in: 4 to 7 MB each), so the links work after a local run.",
             "Runs are `--redact`ed and seeded; ports, identifiers and times change at every regeneration.", "",
             "| column | suite | applicable | PASS | FAIL | WARN | INFO | NOT_APPLICABLE | ERROR |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, report in columns:
        v = report["summary"]["by_verdict"]
        lines.append(f"| {report['target']['name']} (`{name}`) | {report['suite']} | "
                     f"{report['summary']['applicable']} of {report['summary']['total']} | {v.get('PASS', 0)} | "
                     f"{v.get('FAIL', 0)} | {v.get('WARN', 0)} | {v.get('INFO', 0)} | {v.get('NOT_APPLICABLE', 0)} | "
                     f"{v.get('ERROR', 0) + v.get('PREREQ_FAILED', 0)} |")
    # Cases on which the service implementations disagree (NOT_APPLICABLE aside).
    service = [n for n, r in columns if r["suite"] == "wssc-service"]
    differ = []
    for cid in sorted({c["id"] for _, r in columns for c in r["cases"] if r["suite"] == "wssc-service"}):
        seen = {}
        for name, report in columns:
            for c in report["cases"]:
                if c["id"] == cid and c["verdict"] != "NOT_APPLICABLE":
                    seen[name] = c["verdict"]
        if len(set(seen.values())) > 1:
            differ.append((cid, seen))
    lines += ["", f"Service cases on which the {len(service)} service columns disagree (NOT_APPLICABLE left out): "
              f"{len(differ)}.", ""]
    if differ:
        lines += ["| case | " + " | ".join(service) + " |", "|---|" + "---|" * len(service)]
        for cid, seen in differ:
            lines.append(f"| `{cid}` | " + " | ".join(seen.get(n, "-") for n in service) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="scripts/interop-matrix", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(targets.ROOT, "reports", "samples", "interop-matrix"),
                    help="where the comparison goes (default reports/samples/interop-matrix)")
    ap.add_argument("--runs", default=os.path.join(targets.ROOT, "out", "interop-matrix", "runs"),
                    help="where each run's report directory goes (default out/interop-matrix/runs)")
    ap.add_argument("--parley-bin", help="the parley binary (default $PARLEY_BIN, build/bin/parley)")
    ap.add_argument("--no-wss4j", action="store_true", help="leave out the WSS4J columns (no Java)")
    args = ap.parse_args(argv)
    parley = targets.find_parley(args.parley_bin)
    out, runs = os.path.abspath(args.out), os.path.abspath(args.runs)
    os.makedirs(runs, exist_ok=True)
    work = tempfile.mkdtemp(prefix="parley-interop-")
    try:
        pki = os.path.join(work, "pki")
        subprocess.run([os.path.join(targets.ROOT, "scripts", "gen-certs"), pki], check=True, capture_output=True)
        jobs = [(m[0], run_oracle, (parley, work, runs, m)) for m in oracle_modes(pki)]
        if not args.no_wss4j:
            jobs.append(("wss4j", run_wss4j, (parley, work, runs)))
        jobs.append(("reference-client", run_client, (parley, runs)))
        if not args.no_wss4j:
            jobs.append(("wss4j-client", run_wss4j_client, (parley, runs)))
        jobs.append(("reference-rp", run_rp, (parley, work, runs, pki)))
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            futures = [(name, pool.submit(fn, *a)) for name, fn, a in jobs]
            columns = []
            for name, fut in futures:
                report = fut.result()
                print(f"== {name}: {report['summary']['applicable']} of {report['summary']['total']} applicable, "
                      f"{json.dumps({k: v for k, v in report['summary']['by_verdict'].items() if v})}")
                columns.append((name, report))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    r = targets.run_parley(parley, "report", "merge", *[os.path.join(runs, n, "report") for n, _ in columns],
                           "--out", out, "--redact")
    if r.returncode != 0:
        print(r.stdout + r.stderr, file=sys.stderr)
        return 1
    os.makedirs(os.path.join(out, "profiles"), exist_ok=True)
    for name, _ in columns:
        # As each column ran with it, but the throw-away PKI's directory named by what made it.
        with open(os.path.join(runs, name, "profile.toml")) as f:
            text = f.read().replace(pki, "PKI")
        with open(os.path.join(out, "profiles", f"{name}.toml"), "w") as f:
            f.write(text)
    with open(os.path.join(out, "comparison.json")) as f:
        comparison = json.load(f)
    command = "scripts/interop-matrix" + (" --no-wss4j" if args.no_wss4j else "")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(summary_markdown(columns, comparison, command))
    print(f"== comparison: {out}/index.html ({len(columns)} columns)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
