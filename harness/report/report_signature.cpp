#include "harness/report/report_signature.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <vector>
#include <nlohmann/json.hpp>

#include "harness/core/bytes.h"
#include "harness/core/crypto.h"
#include "harness/report/machine_report.h"

namespace parley::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Result<Pkey> private_key(const std::string& pem) {
  auto bio = memory_bio(pem);
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Error(ErrorCode::kCrypto, "not a PEM private key: " + crypto::openssl_error_text());
  return key;
}

// A public key from a PEM public key, certificate or private key.
Result<Pkey> public_key(const std::string& pem) {
  if (pem.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
    auto bio = memory_bio(pem);
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) return Error(ErrorCode::kCrypto, "not a PEM certificate: " + crypto::openssl_error_text());
    Pkey key(X509_get_pubkey(cert.get()));
    if (!key) return Error(ErrorCode::kCrypto, "the certificate's key is unusable: " + crypto::openssl_error_text());
    return key;
  }
  if (pem.find("PRIVATE KEY-----") != std::string::npos) return private_key(pem);
  auto bio = memory_bio(pem);
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Error(ErrorCode::kCrypto, "not a PEM public key, certificate or private key: " + crypto::openssl_error_text());
  return key;
}

Result<std::string> algorithm_of(EVP_PKEY* key) {
  switch (EVP_PKEY_base_id(key)) {
    case EVP_PKEY_RSA: return std::string("rsa-pkcs1-sha256");
    case EVP_PKEY_EC: return std::string("ecdsa-sha256");
    case EVP_PKEY_ED25519: return std::string("ed25519");
    default: return Error(ErrorCode::kUnsupported, "key type not supported (RSA, EC or Ed25519)");
  }
}

const EVP_MD* digest_for(const std::string& algorithm) { return algorithm == "ed25519" ? nullptr : EVP_sha256(); }

Result<std::string> public_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return Error(ErrorCode::kCrypto, "cannot write the public key");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// SHA-256 of a file, read in chunks (report directories may hold large evidence).
Result<std::string> file_sha256(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot open", p.string());
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Error(ErrorCode::kCrypto, "SHA-256 unavailable: " + crypto::openssl_error_text());
  }
  std::vector<char> chunk(std::size_t{1} << 16);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (in.gcount() > 0 && EVP_DigestUpdate(ctx.get(), chunk.data(), static_cast<std::size_t>(in.gcount())) != 1) {
      return Error(ErrorCode::kCrypto, "SHA-256 failed: " + crypto::openssl_error_text());
    }
  }
  if (in.bad()) return Error(ErrorCode::kIo, "cannot read", p.string());
  Bytes digest(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) != 1) return Error(ErrorCode::kCrypto, "SHA-256 failed");
  digest.resize(len);
  return hex_encode(digest);
}

Result<Bytes> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot open", p.string());
  Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error(ErrorCode::kIo, "cannot read", p.string());
  return data;
}

// path -> sha256 hex, from manifest text; errors name the bad line.
Result<std::map<std::string, std::string>> parse_manifest(const std::string& text) {
  std::map<std::string, std::string> files;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) return Error(ErrorCode::kParse, "manifest does not end with a newline");
    const std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (++line_no == 1) {
      if (line != kManifestHeader) return Error(ErrorCode::kParse, "manifest does not start with " + std::string(kManifestHeader));
      continue;
    }
    if (line.size() < 67 || line.compare(64, 2, "  ") != 0) {
      return Error(ErrorCode::kParse, "manifest line " + std::to_string(line_no) + " is not '<sha256>  <path>'");
    }
    files[line.substr(66)] = line.substr(0, 64);
  }
  return files;
}

}  // namespace

Result<std::string> report_manifest(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error(ErrorCode::kNotFound, "not a directory", dir);
  std::map<std::string, std::string> files;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return Error(ErrorCode::kIo, "cannot list: " + ec.message(), dir);
  for (; it != end; it.increment(ec)) {
    if (ec) return Error(ErrorCode::kIo, "cannot list: " + ec.message(), dir);
    const fs::path rel = fs::relative(it->path(), dir, ec);
    const std::string name = rel.generic_string();
    if (it->is_symlink(ec)) return Error(ErrorCode::kUnsupported, "a symbolic link cannot be signed", name);
    if (it->is_directory(ec)) continue;
    if (!it->is_regular_file(ec)) return Error(ErrorCode::kUnsupported, "not a regular file", name);
    if (name == kSignatureFile) continue;
    if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      return Error(ErrorCode::kUnsupported, "a file name with a control character cannot be listed", dir);
    }
    auto digest = file_sha256(it->path());
    if (!digest.ok()) return digest.error();
    files[name] = *digest;
  }
  std::string manifest = std::string(kManifestHeader) + "\n";
  for (const auto& [name, digest] : files) manifest += digest + "  " + name + "\n";
  return manifest;
}

Status sign_report(const std::string& dir, const std::string& private_key_pem, const std::string& certificate_pem) {
  auto key = private_key(private_key_pem);
  if (!key.ok()) return key.error();
  auto algorithm = algorithm_of(key->get());
  if (!algorithm.ok()) return algorithm.error();
  std::string signer;
  if (!certificate_pem.empty()) {
    auto cert_key = public_key(certificate_pem);
    if (!cert_key.ok()) return cert_key.error();
    if (EVP_PKEY_eq(cert_key->get(), key->get()) != 1) {
      return Error(ErrorCode::kInvalidArgument, "the certificate is not the private key's");
    }
    signer = certificate_pem;
  } else {
    auto pem = public_pem(key->get());
    if (!pem.ok()) return pem.error();
    signer = *pem;
  }
  auto manifest = report_manifest(dir);
  if (!manifest.ok()) return manifest.error();

  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(manifest->data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(*algorithm), nullptr, key->get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, data, manifest->size()) != 1) {
    return Error(ErrorCode::kCrypto, "cannot sign: " + crypto::openssl_error_text());
  }
  Bytes signature(len);
  if (EVP_DigestSign(ctx.get(), signature.data(), &len, data, manifest->size()) != 1) {
    return Error(ErrorCode::kCrypto, "cannot sign: " + crypto::openssl_error_text());
  }
  signature.resize(len);
  json sig = {{"schema", std::string(kSignatureSchema)},
              {"algorithm", *algorithm},
              {"manifest", *manifest},
              {"signature", base64_encode(signature)},
              {certificate_pem.empty() ? "signer_public_key" : "signer_certificate", signer}};
  return write_atomically((fs::path(dir) / std::string(kSignatureFile)).string(), sig.dump(2) + "\n");
}

Result<Verification> verify_report(const std::string& dir, const std::string& key_pem) {
  auto key = public_key(key_pem);
  if (!key.ok()) return key.error();
  auto key_algorithm = algorithm_of(key->get());
  if (!key_algorithm.ok()) return key_algorithm.error();

  Verification v;
  const fs::path sig_path = fs::path(dir) / std::string(kSignatureFile);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error(ErrorCode::kNotFound, "not a directory", dir);
  if (!fs::exists(sig_path, ec)) {
    v.problems.push_back("missing: " + std::string(kSignatureFile) + " (the directory is not signed)");
    return v;
  }
  if (fs::file_size(sig_path, ec) > (std::size_t{64} << 20)) {
    v.problems.push_back("changed: " + std::string(kSignatureFile) + " (larger than 64 MiB)");
    return v;
  }
  auto raw = read_file(sig_path);
  if (!raw.ok()) return raw.error();
  json sig = json::parse(raw->begin(), raw->end(), nullptr, false);
  if (sig.is_discarded() || !sig.is_object() || !sig.contains("schema") || sig["schema"] != std::string(kSignatureSchema) ||
      !sig.contains("manifest") || !sig["manifest"].is_string() || !sig.contains("signature") ||
      !sig["signature"].is_string() || !sig.contains("algorithm") || !sig["algorithm"].is_string()) {
    v.problems.push_back("changed: " + std::string(kSignatureFile) + " (not a " + std::string(kSignatureSchema) + " document)");
    return v;
  }
  const std::string manifest = sig["manifest"].get<std::string>();
  const std::string algorithm = sig["algorithm"].get<std::string>();
  if (algorithm != *key_algorithm) {
    v.problems.push_back("signature: made with " + algorithm + ", the key given is for " + *key_algorithm);
    return v;
  }
  auto signature = base64_decode(sig["signature"].get<std::string>());
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  const bool good = signature.ok() && ctx &&
                    EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(algorithm), nullptr, key->get()) == 1 &&
                    EVP_DigestVerify(ctx.get(), signature->data(), signature->size(),
                                     reinterpret_cast<const unsigned char*>(manifest.data()), manifest.size()) == 1;
  (void)crypto::openssl_error_text();  // clears the queue a failed verification leaves
  if (!good) {
    v.problems.push_back("signature: " + std::string(kSignatureFile) +
                         " does not verify with the key given (altered, or signed with another key)");
    return v;
  }
  auto signed_files = parse_manifest(manifest);
  if (!signed_files.ok()) {
    v.problems.push_back("signature: " + signed_files.error().message());
    return v;
  }
  auto now_text = report_manifest(dir);
  if (!now_text.ok()) {
    v.problems.push_back("changed: " + now_text.error().message());
    return v;
  }
  auto now = parse_manifest(*now_text);
  if (!now.ok()) return now.error();
  for (const auto& [name, digest] : *signed_files) {
    auto it = now->find(name);
    if (it == now->end()) {
      v.problems.push_back("removed: " + name);
    } else if (it->second != digest) {
      v.problems.push_back("changed: " + name);
    }
  }
  for (const auto& [name, digest] : *now) {
    if (signed_files->find(name) == signed_files->end()) v.problems.push_back("added: " + name);
  }
  v.intact = v.problems.empty();
  return v;
}

}  // namespace parley::report
