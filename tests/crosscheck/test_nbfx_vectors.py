"""Every NBFX_DECODE vector, decoded again by nbfx_reference.py (an independent Python decoder
written from [MC-NBFX]; no parley code involved): valid vectors must give the same XML text,
invalid ones must be refused."""
import json
import os

import pytest

import nbfx_reference as ref

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = os.path.join(ROOT, "vectors", "wif", "nbfx.json")


def load():
    with open(VECTORS, encoding="utf-8") as f:
        return json.load(f)


def cases(result):
    return [pytest.param(t, id="nbfx.json#%d" % t["id"]) for t in load()["tests"] if t["result"] == result]


def decode(inputs):
    static, session = {}, {}
    if inputs.get("dictionary") == "wif-session":
        static.update(ref.WIF_SESSION_DICTIONARY)
    for key, value in inputs.get("strings", {}).items():
        (session if int(key) & 1 else static)[int(key)] = value
    return ref.decode(bytes.fromhex(inputs["bytes"]), static, session,
                      placeholders=inputs.get("unknown_ids", "error") == "placeholder")


@pytest.mark.parametrize("vec", cases("valid"))
def test_valid_vector_decodes_to_the_same_xml(vec):
    assert decode(vec["inputs"]) == vec["expected"]["xml"]


@pytest.mark.parametrize("vec", cases("invalid"))
def test_invalid_vector_is_refused(vec):
    with pytest.raises(ref.NbfxError):
        decode(vec["inputs"])


def test_every_record_type_has_a_spec_example():
    # [MC-NBFX] 3 gives an example per record type; all of them are in the file.
    comments = " ".join(t["comment"] for t in load()["tests"] if t["provenance"] == "mc-nbfx-3")
    names = ["EndElement", "Comment", "Array", "ShortAttribute", "Attribute", "ShortDictionaryAttribute",
             "DictionaryAttribute", "ShortXmlnsAttribute", "XmlnsAttribute", "ShortDictionaryXmlnsAttribute",
             "DictionaryXmlnsAttribute", "PrefixDictionaryAttributeF", "PrefixAttributeK", "ShortElement", "Element",
             "ShortDictionaryElement", "DictionaryElement", "PrefixDictionaryElementA", "PrefixElementA"]
    names += [n for n in ref.TEXT_NAMES if n not in ("StartListText", "EndListText")]
    names += [n + "WithEndElement" for n in ref.TEXT_NAMES if n not in ("StartListText", "EndListText")]
    for name in names:
        assert "3, %s example" % name in comments, name


def test_reference_decoder_self_checks():
    # Guards for the checker itself, from the spec's prose.
    assert ref.shortest(1.100000023841858, 32) == "1.1"
    assert ref.format_digits(False, "1", 20) == "1E+20"
    assert ref.format_guid(bytes.fromhex("00112233445566778899aabbccddeeff")) == "33221100-5544-7766-8899-aabbccddeeff"
    with pytest.raises(ref.NbfxError):
        ref.decode(bytes.fromhex("4001"))
