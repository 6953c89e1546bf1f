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


def pytest_configure(config):
    config.addinivalue_line("markers", "full: a long matrix; runs only under `scripts/test --full` "
                            "(PARLEY_FULL=1), CI runs a representative subset elsewhere")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PARLEY_FULL") == "1":
        return
    skip = pytest.mark.skip(reason="a long matrix: scripts/test --full (PARLEY_FULL=1) runs it")
    for item in items:
        if "full" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def parley(*args, timeout=120):
    return subprocess.run([PARLEY, *[str(a) for a in args]], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def rp_pki(tmp_path_factory):
    """scripts/gen-certs' throw-away PKI for the relying-party tests (server TLS, STS signing)."""
    d = tmp_path_factory.mktemp("rp-pki")
    subprocess.run([os.path.join(ROOT, "scripts", "gen-certs"), str(d)], check=True, capture_output=True)
    return d


class RedisServer:
    """Debian's redis-server on 127.0.0.1 and a free port, no persistence."""

    def __init__(self):
        import shutil
        import socket
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (scripts/setup installs Debian's redis-server)"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--loglevel", "warning"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer PING")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def redis_server():
    r = RedisServer()
    yield r
    r.stop()


MACHINE_KEY = {"decryption": "11" * 32, "validation": "22" * 64}


def rp_config(pki, rp="", cookie="", cache="", sts="", machine_key=True):
    """A relying-party `parley serve` config over TLS with gen-certs' server certificate; the
    test STS signs with gen-certs' sts.pem (so every node of a farm trusts every node's STS)."""
    keys = (f'machine_key_decryption_key = "{MACHINE_KEY["decryption"]}"\n'
            f'machine_key_validation_key = "{MACHINE_KEY["validation"]}"\n') if machine_key else ""
    return (f'[server]\ntls = true\ncertificate = "{pki}/server.pem"\nprivate_key = "{pki}/server.key"\n'
            f'[rp]\nca_file = "{pki}/ca.pem"\n{rp}\n'
            f'[rp.cookie]\n{keys}{cookie}\n'
            f'[rp.cache]\n{cache}\n'
            f'[sts]\nsigning_certificate = "{pki}/sts.pem"\nsigning_key = "{pki}/sts.key"\n{sts}\n')
