// `parley report html|merge|diff|sign|verify`: the views people and auditors read, made from
// the report.json of one or more runs (docs/reports.md).
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "harness/cli/commands.h"
#include "harness/cli/input.h"
#include "harness/report/html_report.h"
#include "harness/report/machine_report.h"
#include "harness/report/redaction.h"
#include "harness/report/report_diff.h"
#include "harness/report/report_document.h"
#include "harness/report/report_merge.h"
#include "harness/report/report_signature.h"

namespace parley::cli {
namespace {

namespace fs = std::filesystem;

int io_error(const Error& e) {
  std::cerr << "parley: error: " << e.message() << "\n";
  return kExitCannotRun;
}

struct HtmlOptions {
  std::string dir;
  std::string out;
  bool redact = false;
};

int run_html(const HtmlOptions& o) {
  auto doc = report::load_report(o.dir);
  if (!doc.ok()) return usage_error(doc.error().message());
  if (o.redact) report::redact_report(*doc);
  const std::string out = o.out.empty() ? (fs::path(report::report_path(o.dir)).parent_path() / "index.html").string() : o.out;
  if (Status s = report::write_atomically(out, report::html_report(*doc)); !s.ok()) return io_error(s.error());
  std::cout << "report: " << out << "\n";
  return kExitOk;
}

struct MergeOptions {
  std::vector<std::string> dirs;
  std::string out;
  bool redact = false;
};

// `to` as a link from directory `from`: relative, and never mistaken for a URL scheme.
std::string link_path(const fs::path& to, const fs::path& from) {
  std::error_code ec;
  fs::path rel = fs::relative(fs::absolute(to, ec), fs::absolute(from, ec), ec);
  std::string s = ec || rel.empty() ? fs::absolute(to, ec).generic_string() : rel.generic_string();
  if (s.rfind("../", 0) != 0 && s.rfind('/', 0) != 0) s = "./" + s;
  return s;
}

int run_merge(const MergeOptions& o) {
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) return usage_error("--out " + o.out + ": " + ec.message());
  std::vector<report::MergeInput> inputs;
  for (const auto& dir : o.dirs) {
    auto doc = report::load_report(dir);
    if (!doc.ok()) return usage_error(doc.error().message());
    if (o.redact) report::redact_report(*doc);
    report::MergeInput in;
    const fs::path report_dir = fs::path(report::report_path(dir)).parent_path();
    in.report_dir = link_path(report_dir.empty() ? fs::path(".") : report_dir, o.out);
    if (fs::exists(report_dir / "index.html", ec)) in.index_html = link_path(report_dir / "index.html", o.out);
    in.report = std::move(*doc);
    inputs.push_back(std::move(in));
  }
  const nlohmann::json comparison = report::merge_reports(inputs);
  const std::string json_path = (fs::path(o.out) / "comparison.json").string();
  const std::string html_path = (fs::path(o.out) / "index.html").string();
  if (Status s = report::write_atomically(json_path, comparison.dump(2) + "\n"); !s.ok()) return io_error(s.error());
  if (Status s = report::write_atomically(html_path, report::html_comparison(comparison)); !s.ok()) {
    return io_error(s.error());
  }
  std::cout << "comparison of " << inputs.size() << " reports: " << html_path << ", " << json_path << "\n";
  return kExitOk;
}

struct DiffOptions {
  std::string old_dir;
  std::string new_dir;
  std::string format = "text";
};

int run_diff(const DiffOptions& o) {
  auto old_doc = report::load_report(o.old_dir);
  if (!old_doc.ok()) return usage_error(old_doc.error().message());
  auto new_doc = report::load_report(o.new_dir);
  if (!new_doc.ok()) return usage_error(new_doc.error().message());
  const report::ReportDiff diff = report::diff_reports(*old_doc, *new_doc);
  if (o.format == "json") {
    std::cout << report::diff_json(diff).dump(2) << "\n";
  } else {
    std::cout << report::diff_text(diff);
  }
  return diff.has_regressions() ? kExitFailures : kExitOk;
}

struct SignOptions {
  std::string dir;
  std::string key;
  std::string cert;
};

int run_sign(const SignOptions& o) {
  auto key = read_input(o.key, 1u << 20);
  if (!key.ok()) return usage_error(key.error().message());
  std::string cert;
  if (!o.cert.empty()) {
    auto c = read_input(o.cert, 1u << 20);
    if (!c.ok()) return usage_error(c.error().message());
    cert = std::move(*c);
  }
  if (Status s = report::sign_report(o.dir, *key, cert); !s.ok()) {
    Error e = s.error();
    if (e.code() == ErrorCode::kIo) return io_error(e);
    return usage_error(e.message());
  }
  std::cout << "signed: " << (fs::path(o.dir) / std::string(report::kSignatureFile)).string() << "\n";
  return kExitOk;
}

int run_verify(const SignOptions& o) {
  auto key = read_input(o.key, 1u << 20);
  if (!key.ok()) return usage_error(key.error().message());
  auto v = report::verify_report(o.dir, *key);
  if (!v.ok()) return usage_error(o.key + ": " + v.error().message());
  if (v->intact) {
    std::cout << "intact: every file of " << o.dir << " is as signed\n";
    return kExitOk;
  }
  for (const auto& p : v->problems) std::cout << p << "\n";
  std::cout << "NOT intact: " << v->problems.size() << " problem" << (v->problems.size() == 1 ? "" : "s") << "\n";
  return kExitFailures;
}

}  // namespace

void add_report_command(CLI::App& app, RunState& state) {
  CLI::App* report = app.add_subcommand("report", "Views of finished runs: HTML, comparison, diff, signatures");
  report->require_subcommand(1);

  auto h = std::make_shared<HtmlOptions>();
  CLI::App* html = report->add_subcommand("html", "(Re)generate DIR/index.html from DIR/report.json");
  html->add_option("DIR", h->dir, "Report directory (or its report.json)")->required();
  html->add_option("--out", h->out, "Where to write the page (default DIR/index.html)");
  html->add_flag("--redact", h->redact, "Mask keys, passwords, Authorization headers and cookies in the page");
  html->callback([h, &state] { state.exit_code = run_html(*h); });

  auto m = std::make_shared<MergeOptions>();
  CLI::App* merge = report->add_subcommand("merge", "One comparison page of several runs, a column per target");
  merge->add_option("DIR", m->dirs, "Report directories (or report.json files)")->required();
  merge->add_option("--out", m->out, "Output directory (index.html, comparison.json)")->required();
  merge->add_flag("--redact", m->redact, "Mask secrets in the comparison");
  merge->callback([m, &state] { state.exit_code = run_merge(*m); });

  auto d = std::make_shared<DiffOptions>();
  CLI::App* diff = report->add_subcommand("diff", "What changed between two runs of one target (release gating)");
  diff->add_option("OLD", d->old_dir, "The earlier report directory (or report.json)")->required();
  diff->add_option("NEW", d->new_dir, "The later report directory (or report.json)")->required();
  diff->add_option("--format", d->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  diff->footer("Exit codes: 0 no regression, 1 a case's verdict got worse, 2 usage or input error.");
  diff->callback([d, &state] { state.exit_code = run_diff(*d); });

  auto s = std::make_shared<SignOptions>();
  CLI::App* sign = report->add_subcommand("sign", "Write DIR/report.sig: a detached signature over every file of DIR");
  sign->add_option("DIR", s->dir, "Report directory")->required();
  sign->add_option("--key", s->key, "PEM private key (RSA, EC or Ed25519)")->required();
  sign->add_option("--cert", s->cert, "PEM certificate of the key, stored in report.sig for the auditor");
  sign->callback([s, &state] { state.exit_code = run_sign(*s); });

  auto v = std::make_shared<SignOptions>();
  CLI::App* verify = report->add_subcommand("verify", "Check DIR/report.sig and that no file was added, removed or changed");
  verify->add_option("DIR", v->dir, "Report directory")->required();
  verify->add_option("--key", v->key, "PEM public key or certificate of the signer")->required();
  verify->footer("Exit codes: 0 intact, 1 a file was added, removed or changed (each named) or the signature\n"
                 "does not verify, 2 usage or input error.");
  verify->callback([v, &state] { state.exit_code = run_verify(*v); });
}

}  // namespace parley::cli
