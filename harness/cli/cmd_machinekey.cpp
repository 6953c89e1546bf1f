// `parley machinekey protect|unprotect`: ASP.NET 4.5 MachineKey.Protect / Unprotect from the
// command line, for engineers checking a web.config <machineKey> against a cookie, or producing
// a cookie another stack must accept. Hex in (a file or stdin), hex out.
#include <cctype>
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
#include "harness/wif/machine_key.h"

namespace parley::cli {
namespace {

constexpr std::size_t kMaxInput = std::size_t{64} << 20;

struct MachineKeyOptions {
  std::string decryption_key;
  std::string validation_key;
  std::string decryption = "AES";
  std::string validation = "HMACSHA256";
  std::vector<std::string> purposes;
  std::string iv;
  std::string input = "-";
};


// Hex (or base64:...) with surrounding and embedded line breaks / spaces removed.
Result<Bytes> decode_data(const std::string& text, const std::string& where) {
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact.push_back(c);
  }
  auto bytes = decode_hex_or_base64(compact);
  if (!bytes.ok()) return std::move(bytes.error().within(where));
  return bytes;
}

Result<Bytes> decode_option(const std::string& option, const std::string& text) {
  auto bytes = decode_hex_or_base64(text);
  if (!bytes.ok()) return std::move(bytes.error().within(option));
  return bytes;
}

int run(const MachineKeyOptions& o, bool protect) {
  std::string decryption = o.decryption;
  for (auto& c : decryption) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (decryption != "AES" && decryption != "AUTO") {
    return usage_error("--decryption: '" + o.decryption +
                       "' is not supported; parley implements AES (and Auto, which is AES); DES and 3DES are not");
  }
  if (o.purposes.empty()) return usage_error("--purpose: at least one (the primary purpose) is required");
  auto dk = decode_option("--decryption-key", o.decryption_key);
  if (!dk.ok()) return usage_error(dk.error().message());
  auto vk = decode_option("--validation-key", o.validation_key);
  if (!vk.ok()) return usage_error(vk.error().message());
  auto validation = wif::parse_machine_key_validation(o.validation);
  if (!validation.ok()) return usage_error("--validation: " + validation.error().what());
  if (!protect && !o.iv.empty()) return usage_error("--iv: only protect takes an IV (unprotect reads it from the data)");

  wif::MachineKeyPurpose purpose{o.purposes.front(), {o.purposes.begin() + 1, o.purposes.end()}};
  auto protector = wif::MachineKeyProtector::create({std::move(*dk), std::move(*vk), *validation}, std::move(purpose));
  if (!protector.ok()) return usage_error(protector.error().message());

  auto text = read_input(o.input, kMaxInput);
  if (!text.ok()) return usage_error(text.error().message());
  auto data = decode_data(*text, o.input == "-" ? "stdin" : o.input);
  if (!data.ok()) return usage_error(data.error().message());

  Result<Bytes> out = Bytes{};
  if (protect) {
    if (o.iv.empty()) {
      out = protector->protect(*data);
    } else {
      auto iv = decode_option("--iv", o.iv);
      if (!iv.ok()) return usage_error(iv.error().message());
      out = protector->protect_with_iv(*data, *iv);
    }
  } else {
    out = protector->unprotect(*data);
  }
  if (!out.ok()) return usage_error(out.error().message());
  std::cout << hex_encode(*out) << "\n";
  return kExitOk;
}

void add_operation(CLI::App* parent, const char* name, const char* help, bool protect, RunState& state) {
  auto o = std::make_shared<MachineKeyOptions>();
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->add_option("--decryption-key", o->decryption_key, "<machineKey decryptionKey>: AES key, 16/24/32 bytes (hex)")
      ->required();
  cmd->add_option("--validation-key", o->validation_key, "<machineKey validationKey>: HMAC key (hex)")->required();
  cmd->add_option("--decryption", o->decryption, "<machineKey decryption>: AES (Auto = AES)")->capture_default_str();
  cmd->add_option("--validation", o->validation, "<machineKey validation>: HMACSHA1 (SHA1), HMACSHA256, HMACSHA384, HMACSHA512")
      ->capture_default_str();
  cmd->add_option("--purpose", o->purposes,
                  "Purpose; repeat: the first is the primary purpose (KDF label), the others the specific purposes "
                  "(KDF context)")
      ->required()
      ->allow_extra_args(false);  // one value per --purpose, so FILE is never taken as a purpose
  if (protect) {
    cmd->add_option("--iv", o->iv, "Fixed 16-byte IV (hex), for reproducible output; default random");
  }
  cmd->add_option("FILE", o->input, "Input data as hex; - for stdin")->capture_default_str();
  cmd->callback([o, protect, &state] { state.exit_code = run(*o, protect); });
}

}  // namespace

void add_machinekey_command(CLI::App& app, RunState& state) {
  CLI::App* mk = app.add_subcommand("machinekey", "ASP.NET 4.5 MachineKey.Protect / Unprotect (WIF's MachineKey transform)");
  mk->require_subcommand(1);
  mk->footer(
      "MachineKey.Protect(data, purposes...) is --purpose User.MachineKey.Protect --purpose PURPOSE...\n"
      "WIF's MachineKeyTransform (MachineKeySessionSecurityTokenHandler):\n"
      "  --purpose User.MachineKey.Protect --purpose System.IdentityModel.Services.MachineKeyTransform\n"
      "Output: IV (16) | AES-CBC ciphertext | HMAC, as hex. Example:\n"
      "  echo 68656c6c6f | parley machinekey protect --decryption-key 000102...1f --validation-key 000102...3f \\\n"
      "      --purpose User.MachineKey.Protect --purpose System.IdentityModel.Services.MachineKeyTransform");
  add_operation(mk, "protect", "Protect hex data (MachineKey.Protect)", true, state);
  add_operation(mk, "unprotect", "Check the HMAC and decrypt hex data (MachineKey.Unprotect)", false, state);
}

}  // namespace parley::cli
