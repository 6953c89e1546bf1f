"""`parley nbfx` as a user runs it, its output checked by nbfx_reference.py (the independent
Python decoder). Needs the built binary (PARLEY_BIN); skipped without it."""
import os
import subprocess

import pytest

import nbfx_reference as ref

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PARLEY = os.environ.get("PARLEY_BIN", os.path.join(ROOT, "build", "bin", "parley"))
pytestmark = pytest.mark.skipif(not os.path.exists(PARLEY), reason=f"no parley binary at {PARLEY}")


def parley(*args, stdin=b""):
    return subprocess.run([PARLEY, "nbfx", *args], input=stdin, capture_output=True, timeout=60)


def test_decode_spec_example_from_hex_stdin():
    # [MC-NBFX] 3, Chars8Text example.
    r = parley("decode", stdin=b"40 03 64 6F 63 98 05 68 65 6C 6C 6F 01\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"<doc>hello</doc>\n"


def test_decode_binary_file_with_records(tmp_path):
    path = tmp_path / "doc.bin"
    # <doc a="false"> + EmptyText content + EndElement, as raw bytes in a file.
    path.write_bytes(bytes.fromhex("4003646f6304016184a801"))
    r = parley("decode", "--format", "binary", str(path))
    assert r.returncode == 0, r.stderr
    assert r.stdout == b'<doc a="false"></doc>\n'
    r = parley("decode", "--records", "--placeholders", stdin=b"42 0E 01")
    assert r.stdout.decode().splitlines() == ["000000  42 ShortDictionaryElement  name id=14 <str14>",
                                              "000002  01 EndElement  </str14>"]


def test_encode_then_python_decodes_it():
    xml = ('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body a="1">'
           '<x>t&amp;&lt;</x><!--c--></s:Body></s:Envelope>')
    r = parley("encode", stdin=xml.encode())
    assert r.returncode == 0, r.stderr
    data = bytes.fromhex(r.stdout.decode().strip())
    assert ref.decode(data) == xml
    back = parley("decode", stdin=r.stdout)
    assert back.stdout.decode().strip() == xml


def test_dictionary_file_and_builtin(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("# static ids are even, session ids odd\n14 Body\n1 Hello\n", encoding="utf-8")
    r = parley("encode", "--dictionary", str(path), stdin=b"<Body><Hello/></Body>")
    assert r.stdout.decode().strip() == "420e420101" "01"
    r = parley("decode", "--dictionary", str(path), stdin=b"420e42010101")
    assert r.stdout.decode().strip() == "<Body><Hello></Hello></Body>"
    r = parley("dictionary", "wif-session")
    lines = [l for l in r.stdout.decode().splitlines() if not l.startswith("#")]
    assert len(lines) == 63 and lines[34] == "68 SessionToken" and lines[22] == "44"
    r = parley("decode", "--dictionary", "wif-session", stdin=b"42440658a8420499013101")
    assert r.stdout.decode().strip() == '<SessionToken PersistentTrue=""><Version>1</Version></SessionToken>'


@pytest.mark.parametrize("args,stdin,needle", [
    (["decode"], b"40 01 61 9C FF FF FF 7F 41", "Chars32Text (0x9C) at offset 3"),
    (["decode"], b"42 0E 01", "id 14 is not in the static"),
    (["decode", "--format", "hex"], b"4g", "hex"),
    (["encode"], b"<a", "not well-formed"),
    (["encode"], b"<?pi x?><a/>", "[MC-NBFX 1.5]"),
    (["decode", "/nonexistent/file"], b"", "cannot open"),
])
def test_errors_are_one_line_exit_2(args, stdin, needle):
    r = parley(*args, stdin=stdin)
    assert r.returncode == 2
    err = r.stderr.decode()
    assert err.startswith("parley: error: ") and err.count("\n") == 1, err
    assert needle in err
