"""Real targets on loopback for scripts (stdlib only): the built `parley` binary, `parley serve`
with a config, and `parley run` returning its report.json.

tests/e2e/conftest.py has the pytest fixtures; this module is the same thing for the scripts
(scripts/mutation, scripts/interop-matrix) and the pytest plugin, which run outside pytest's
fixtures."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def find_parley(explicit=None):
    """The parley binary: an explicit path, $PARLEY_BIN, build/bin/parley, build-dev/bin/parley,
    or `parley` on PATH."""
    candidates = [explicit, os.environ.get("PARLEY_BIN"), os.path.join(ROOT, "build", "bin", "parley"),
                  os.path.join(ROOT, "build-dev", "bin", "parley")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    on_path = shutil.which("parley")
    if on_path:
        return on_path
    raise FileNotFoundError("no parley binary: pass its path, set PARLEY_BIN, or build it (scripts/build)")


def run_parley(parley, *args, timeout=600, **kwargs):
    """`parley ARGS` to completion; returns the CompletedProcess (text, output captured)."""
    return subprocess.run([parley, *[str(a) for a in args]], capture_output=True, text=True, timeout=timeout,
                          **kwargs)


class Serve:
    """A running `parley serve --config FILE [--fault NAME ...] --profile-out PROFILE`: its base
    URL, the profile it printed, and its log (kept in `directory`). A context manager; `stop()`
    sends SIGTERM and waits."""

    def __init__(self, parley, directory, config_text, faults=(), name="serve", start_timeout=30):
        os.makedirs(directory, exist_ok=True)
        self.config = os.path.join(directory, f"{name}.toml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.profile = os.path.join(directory, f"{name}-profile.toml")
        self.log_path = os.path.join(directory, f"{name}.log")
        if os.path.exists(self.profile):
            os.unlink(self.profile)
        args = [parley, "serve", "--config", self.config, "--profile-out", self.profile]
        for fault in faults:
            args += ["--fault", fault]
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        self.url = None
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            m = re.search(r"listening on (\S+)", self.log())
            if m and os.path.exists(self.profile) and os.path.getsize(self.profile) > 0:
                self.url = m.group(1)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"parley serve did not start (exit {self.proc.returncode}):\n{self.log()}")

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._log.closed:
            self._log.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def parley_run(parley, target, out, suite=None, filters=(), extra=(), timeout=1800):
    """`parley run --target TARGET --out OUT [--suite S] [--filter F ...] EXTRA`; returns
    (CompletedProcess, report dict or None). The command line is kept in OUT/command.txt."""
    args = ["run", "--target", target, "--out", out, "--no-progress"]
    if suite:
        args += ["--suite", suite]
    for f in filters:
        args += ["--filter", f]
    args += list(extra)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "command.txt"), "w") as f:
        f.write(" ".join([parley, *[str(a) for a in args]]) + "\n")
    r = run_parley(parley, *args, timeout=timeout)
    report_path = os.path.join(out, "report.json")
    report = None
    if os.path.exists(report_path):
        with open(report_path) as f:
            report = json.load(f)
    return r, report
