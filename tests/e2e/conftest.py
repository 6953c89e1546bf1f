"""Fixtures that start real targets on loopback (the built parley binary) and stop them cleanly."""
import os
import re
import signal
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PARLEY = os.environ.get("PARLEY_BIN", os.path.join(ROOT, "build", "bin", "parley"))


class Oracle:
    """A running `parley serve`: its base URL, its printed profile file and its log."""

    def __init__(self, tmp_path, config_text, name="oracle", args=()):
        self.dir = tmp_path
        self.config = tmp_path / f"{name}.toml"
        self.config.write_text(config_text)
        self.profile = tmp_path / f"{name}-profile.toml"
        self.log_path = tmp_path / f"{name}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([PARLEY, "serve", "--config", str(self.config), "--profile-out",
                                      str(self.profile), *args], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        self.url = None
        while time.monotonic() < deadline:
            text = self.log_path.read_text()
            m = re.search(r"listening on (\S+)", text)
            if m and self.profile.exists():
                self.url = m.group(1)
                break
            if self.proc.poll() is not None:
                raise RuntimeError(f"parley serve exited {self.proc.returncode}:\n{text}")
            time.sleep(0.05)
        if self.url is None:
            self.stop()
            raise RuntimeError("parley serve did not start:\n" + self.log_path.read_text())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def oracle(tmp_path, request):
    started = []

    def start(config_text="", name="oracle", args=()):
        o = Oracle(tmp_path, config_text, name, args)
        started.append(o)
        return o

    yield start
    for o in started:
        o.stop()
        # Logs are kept on failure: pytest shows them with the failing test.
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            print(o.log_path.read_text())
        assert o.proc.returncode == 0, f"parley serve exited {o.proc.returncode}: {o.log_path.read_text()}"


class Wss4j:
    """Apache WSS4J 1.6 behind interop/wss4j/Wss4jShim.java's `serve` (scripts/wss4j), with a
    pre-shared SCT, and a target profile for it (docs/interop/wss4j.md)."""

    SCT_ID = "urn:uuid:5a3b1e2c-0d4f-4e6a-9b7c-8d9e0f1a2b3c"

    def __init__(self, tmp_path):
        self.key = os.urandom(32).hex()
        self.log_path = tmp_path / "wss4j.log"
        self.log = open(self.log_path, "w")
        env = dict(os.environ)
        env.setdefault("PARLEY_BUILD_DIR", os.environ.get("PARLEY_BUILD_DIR",
                                                          os.path.dirname(os.path.dirname(PARLEY))))
        self.proc = subprocess.Popen([os.path.join(ROOT, "scripts", "wss4j"), "serve", "--port", "0", "--sct-id",
                                      self.SCT_ID, "--key", self.key, "--version", "05/12"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120  # the first start compiles the shim
        self.url = None
        while time.monotonic() < deadline:
            m = re.search(r"listening on (http://\S+)", self.log_path.read_text())
            if m:
                self.url = m.group(1)
                break
            if self.proc.poll() is not None:
                raise RuntimeError("scripts/wss4j serve exited:\n" + self.log_path.read_text())
            time.sleep(0.1)
        if self.url is None:
            self.stop()
            raise RuntimeError("scripts/wss4j serve did not start:\n" + self.log_path.read_text())
        self.profile = tmp_path / "wss4j-profile.toml"
        self.profile.write_text(f"""[target]
name = "Apache WSS4J 1.6 (interop shim)"
kind = "wssc-service"

[wssc]
service_url = "{self.url}service"
soap = "1.2"
addressing = "1.0"
sc_version = "1.3"
bootstrap = "preshared-sct"
protection = "derived-keys"
algorithm_suite = "Basic256"

[credentials]
sct_identifier = "{self.SCT_ID}"
sct_key = "{self.key}"

[capabilities]
renew = false
cancel = false
amend = false
encryption = true
""")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def wss4j(tmp_path):
    w = Wss4j(tmp_path)
    yield w
    w.stop()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def parley(*args, timeout=120):
    return subprocess.run([PARLEY, *[str(a) for a in args]], capture_output=True, text=True, timeout=timeout)
