// `parley report sign|verify`: a detached signature over a report directory, so a compliance
// report handed to an auditor can be checked for tampering (docs/reports.md, "Signed reports").
//
// The signed bytes are a manifest: "parley-report-manifest/1\n", then one line per regular file
// under the directory, "<sha256 hex>  <path relative to it, '/'-separated>\n", sorted bytewise by
// path; report.sig itself is left out. report.sig (JSON, schema parley-report-signature/1) holds
// the manifest text, the algorithm, the signature (base64) and the signer's public key or
// certificate (PEM, for information: verify trusts only the key it is given).
#pragma once

#include <string>
#include <vector>

#include "harness/core/error.h"

namespace parley::report {

inline constexpr std::string_view kSignatureFile = "report.sig";
inline constexpr std::string_view kSignatureSchema = "parley-report-signature/1";
inline constexpr std::string_view kManifestHeader = "parley-report-manifest/1";

// The manifest of `dir` (errors: unreadable files, file names with control characters,
// anything that is neither a regular file nor a directory, e.g. a symbolic link).
Result<std::string> report_manifest(const std::string& dir);

// Signs the manifest of `dir` with a PEM private key (RSA: PKCS#1 v1.5 with SHA-256; EC: ECDSA
// with SHA-256; Ed25519) and writes DIR/report.sig atomically. `certificate_pem`, when not
// empty, is stored as the signer's certificate (else the public key).
Status sign_report(const std::string& dir, const std::string& private_key_pem, const std::string& certificate_pem = "");

struct Verification {
  bool intact = false;
  std::vector<std::string> problems;  // "changed: index.html", "added: x", "removed: y", or why the signature fails
};

// Checks DIR/report.sig against a PEM public key, certificate or private key (its public half),
// then the directory against the signed manifest. Errors (not problems) for unusable keys.
Result<Verification> verify_report(const std::string& dir, const std::string& key_pem);

}  // namespace parley::report
