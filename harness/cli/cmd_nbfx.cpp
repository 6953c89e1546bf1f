// `parley nbfx`: decode .NET Binary XML ([MC-NBFX]) to XML text and encode XML back, for people
// looking inside a WIF session cookie or a WCF binary message (docs/nbfx.md).
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "harness/cli/commands.h"
#include "harness/cli/input.h"
#include "harness/core/bytes.h"
#include "harness/wif/nbfx.h"
#include "harness/wif/session_token.h"

namespace parley::cli {
namespace {

namespace nbfx = wif::nbfx;

constexpr const char* kWifSessionDictionary = "wif-session";

struct CommonOptions {
  std::string input = "-";
  std::vector<std::string> dictionaries;
};

struct DecodeArgs : CommonOptions {
  std::string format = "auto";
  bool records = false;
  bool placeholders = false;
};

struct EncodeArgs : CommonOptions {
  std::string output = "hex";
  bool no_dictionary = false;
  bool dictionary_text = false;
  bool infer_types = false;
  bool no_fold = false;
};


// Every --dictionary, merged; even ids go to the static dictionary, odd ids to the session one.
struct Dictionaries {
  nbfx::Dictionary stat;
  nbfx::Dictionary session;
};

Result<Dictionaries> load_dictionaries(const std::vector<std::string>& specs) {
  Dictionaries out;
  for (const auto& spec : specs) {
    nbfx::Dictionary d;
    if (spec == kWifSessionDictionary) {
      d = wif::session_dictionary();
    } else {
      auto text = read_input(spec);
      if (!text.ok()) return std::move(text.error().within("--dictionary"));
      auto parsed = nbfx::parse_dictionary_file(*text);
      if (!parsed.ok()) return std::move(parsed.error().within("--dictionary " + spec));
      d = std::move(*parsed);
    }
    for (const auto& [id, value] : d.entries()) {
      auto added = ((id & 1) != 0 ? out.session : out.stat).add(id, value);
      if (!added.ok()) return std::move(added.error().within("--dictionary " + spec));
    }
  }
  return out;
}

bool looks_like_hex(const std::string& text) {
  std::size_t digits = 0;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    ++digits;
  }
  return digits > 0 && digits % 2 == 0;
}

Result<Bytes> input_bytes(const std::string& text, const std::string& format) {
  if (format == "binary" || (format == "auto" && !looks_like_hex(text))) return to_bytes(text);
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
  }
  auto b = hex_decode(compact);
  if (!b.ok()) return std::move(b.error().within("input (hex)"));
  return b;
}

int run_decode(const DecodeArgs& o) {
  auto text = read_input(o.input);
  if (!text.ok()) return usage_error(text.error().message());
  auto bytes = input_bytes(*text, o.format);
  if (!bytes.ok()) return usage_error(bytes.error().message());
  auto dictionaries = load_dictionaries(o.dictionaries);
  if (!dictionaries.ok()) return usage_error(dictionaries.error().message());
  nbfx::DecodeOptions options;
  options.static_dictionary = &dictionaries->stat;
  options.session_dictionary = &dictionaries->session;
  options.unknown_ids = o.placeholders ? nbfx::UnknownIds::kPlaceholder : nbfx::UnknownIds::kError;
  auto decoded = nbfx::decode(*bytes, options);
  if (!decoded.ok()) return usage_error(decoded.error().message());
  if (o.records) {
    std::cout << nbfx::format_records(decoded->records);
  } else {
    std::cout << decoded->xml << "\n";
  }
  return kExitOk;
}

int run_encode(const EncodeArgs& o) {
  auto text = read_input(o.input);
  if (!text.ok()) return usage_error(text.error().message());
  auto dictionaries = load_dictionaries(o.dictionaries);
  if (!dictionaries.ok()) return usage_error(dictionaries.error().message());
  nbfx::EncodeOptions options;
  options.static_dictionary = &dictionaries->stat;
  options.session_dictionary = &dictionaries->session;
  options.use_dictionary = !o.no_dictionary;
  options.dictionary_text = o.dictionary_text;
  options.infer_text_types = o.infer_types;
  options.with_end_element = !o.no_fold;
  auto bytes = nbfx::encode(*text, options);
  if (!bytes.ok()) return usage_error(bytes.error().message());
  if (o.output == "binary") {
    std::cout.write(reinterpret_cast<const char*>(bytes->data()),
                    static_cast<std::streamsize>(bytes->size()));
  } else {
    std::cout << hex_encode(*bytes) << "\n";
  }
  return kExitOk;
}

int run_dictionary(const std::string& name) {
  if (name != kWifSessionDictionary)
    return usage_error("unknown built-in dictionary '" + name + "'");
  auto text = nbfx::format_dictionary_file(wif::session_dictionary());
  if (!text.ok()) return usage_error(text.error().message());
  std::cout << "# WIF SessionDictionary (System.IdentityModel.Tokens): 63 strings, static ids 2n\n"
            << *text;
  return kExitOk;
}

void add_dictionary_option(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option(
      "--dictionary", o.dictionaries,
      "A dictionary file (docs/nbfx.md: lines 'ID STRING'; even ids static, odd ids session) or "
      "'wif-session' (WIF's 63-string session dictionary); repeatable");
}

}  // namespace

void add_nbfx_command(CLI::App& app, RunState& state) {
  CLI::App* cmd =
      app.add_subcommand("nbfx", "Decode and encode .NET Binary XML ([MC-NBFX], [MC-NBFS])");
  cmd->require_subcommand(1);
  cmd->footer(
      "Examples ([MC-NBFX] section 3):\n"
      "  echo '40 03 64 6F 63 98 05 68 65 6C 6C 6F 01' | parley nbfx decode\n"
      "  <doc>hello</doc>\n"
      "  echo '<doc>hello</doc>' | parley nbfx encode\n"
      "  4003646f63990568656c6c6f\n"
      "  parley nbfx decode --dictionary wif-session cookie-state.bin");

  auto d = std::make_shared<DecodeArgs>();
  CLI::App* decode = cmd->add_subcommand("decode", "NBFX (hex or binary) -> XML text");
  decode->add_option("input", d->input, "File to read; '-' or absent: standard input")
      ->capture_default_str();
  decode
      ->add_option("--format", d->format,
                   "Input encoding; auto = hex when the input is only hex digits and space")
      ->check(CLI::IsMember({"auto", "hex", "binary"}))
      ->capture_default_str();
  add_dictionary_option(decode, *d);
  decode->add_flag("--records", d->records,
                   "Print the record list (offset, type, detail) instead of XML");
  decode->add_flag(
      "--placeholders", d->placeholders,
      "Show dictionary ids no dictionary has as strNNN (as [MC-NBFX] 3 does) instead of failing");
  decode->callback([d, &state] { state.exit_code = run_decode(*d); });

  auto e = std::make_shared<EncodeArgs>();
  CLI::App* encode = cmd->add_subcommand("encode", "XML text -> NBFX (hex or binary)");
  encode->add_option("input", e->input, "File to read; '-' or absent: standard input")
      ->capture_default_str();
  encode->add_option("--output", e->output, "Output encoding")
      ->check(CLI::IsMember({"hex", "binary"}))
      ->capture_default_str();
  add_dictionary_option(encode, *e);
  encode->add_flag("--no-dictionary", e->no_dictionary, "Write every name as a literal String");
  encode->add_flag("--dictionary-text", e->dictionary_text,
                   "Write text found in a dictionary as DictionaryText");
  encode->add_flag("--infer-types", e->infer_types,
                   "Write 0, 1, true, false, integers and urn:uuid GUIDs as typed text records");
  encode->add_flag("--no-fold", e->no_fold, "Never use the *TextWithEndElement records");
  encode->callback([e, &state] { state.exit_code = run_encode(*e); });

  auto name = std::make_shared<std::string>(kWifSessionDictionary);
  CLI::App* dict = cmd->add_subcommand("dictionary",
                                       "Print a built-in dictionary in the dictionary file format");
  dict->add_option("name", *name, "Built-in dictionary")
      ->check(CLI::IsMember({kWifSessionDictionary}))
      ->capture_default_str();
  dict->callback([name, &state] { state.exit_code = run_dictionary(*name); });
}

}  // namespace parley::cli
