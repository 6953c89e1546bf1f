// `parley record` (a recording reverse proxy) and `parley import` (other formats into a capture).
// docs/capture-format.md
#include <pthread.h>

#include <csignal>
#include <iostream>
#include <memory>

#include "harness/capture/importers.h"
#include "harness/capture/record_proxy.h"
#include "harness/cli/commands.h"

namespace parley::cli {
namespace {

std::string now_text() {
  return capture::format_time(std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
}

struct RecordCli {
  std::string listen = "127.0.0.1:0";
  std::string upstream;
  std::string out;
  std::string ca_file;
  bool insecure = false;
  std::string tls_cert, tls_key;
  std::size_t max_body = std::size_t{16} << 20;
};

int run_record(const RecordCli& o) {
  capture::RecordOptions options;
  const std::size_t colon = o.listen.rfind(':');
  if (colon == std::string::npos) return usage_error("--listen " + o.listen + ": expected HOST:PORT");
  options.listen_host = o.listen.substr(0, colon);
  if (options.listen_host.size() > 2 && options.listen_host.front() == '[') {
    options.listen_host = options.listen_host.substr(1, options.listen_host.size() - 2);
  }
  try {
    const int port = std::stoi(o.listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    options.listen_port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return usage_error("--listen " + o.listen + ": bad port");
  }
  options.upstream = o.upstream;
  options.ca_file = o.ca_file;
  options.insecure = o.insecure;
  options.max_body_bytes = o.max_body;
  if (!o.tls_cert.empty() || !o.tls_key.empty()) {
    if (o.tls_cert.empty() || o.tls_key.empty()) return usage_error("--tls-cert and --tls-key go together");
    options.tls = transport::HttpServer::TlsFiles{o.tls_cert, o.tls_key};
  }
  capture::Header header;
  header.origin = "record";
  header.created = now_text();
  header.server = o.upstream;
  header.client = "the peers connecting to --listen " + o.listen;
  auto writer = capture::CaptureWriter::create(o.out, header);
  if (!writer.ok()) return usage_error("--out: " + writer.error().message());

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  capture::RecordingProxy proxy(options, **writer);
  if (Status s = proxy.start(); !s.ok()) {
    std::cerr << "parley: error: " << s.error().message() << "\n";
    return s.error().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitCannotRun;
  }
  std::cout << "parley record: listening on " << proxy.url("") << ", forwarding to " << o.upstream << ", recording to "
            << o.out << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  proxy.stop();
  Status closed = (*writer)->close();
  std::cout << "parley record: " << proxy.exchanges() << " exchange(s) recorded" << std::endl;
  if (auto e = proxy.write_error()) {
    std::cerr << "parley: error: writing the capture failed: " << e->message() << "\n";
    return kExitCannotRun;
  }
  if (!closed.ok()) {
    std::cerr << "parley: error: " << closed.error().message() << "\n";
    return kExitCannotRun;
  }
  return kExitOk;
}

struct ImportCli {
  std::string input;
  std::string out;
};

int run_import(const ImportCli& o) {
  auto kind = capture::detect_input_kind(o.input);
  if (!kind.ok()) return usage_error(kind.error().message());
  // The header goes first but the importer's findings come last: import to a temporary capture,
  // then write the final one with the notes in its header.
  capture::Header header;
  header.origin = *kind;
  header.created = now_text();
  const std::string tmp = o.out + ".partial";
  capture::ImportReport report;
  {
    auto writer = capture::CaptureWriter::create(tmp, header);
    if (!writer.ok()) return usage_error("--out: " + writer.error().message());
    if (Status s = capture::import_any(o.input, **writer, report); !s.ok()) {
      std::remove(tmp.c_str());
      std::cerr << "parley: error: " << s.error().message() << "\n";
      return kExitFailures;
    }
    if (Status s = (*writer)->close(); !s.ok()) {
      std::cerr << "parley: error: " << s.error().message() << "\n";
      return kExitCannotRun;
    }
  }
  header.notes = report.notes;
  {
    auto reader = capture::CaptureReader::open(tmp);
    auto writer = capture::CaptureWriter::create(o.out, header);
    if (!reader.ok() || !writer.ok()) {
      std::cerr << "parley: error: cannot rewrite " << o.out << "\n";
      return kExitCannotRun;
    }
    for (;;) {
      auto m = (*reader)->next();
      if (!m.ok() || !m->has_value()) break;
      if (Status s = (*writer)->put(**m); !s.ok()) {
        std::cerr << "parley: error: " << s.error().message() << "\n";
        return kExitCannotRun;
      }
    }
  }
  std::remove(tmp.c_str());
  std::cout << o.input << " (" << *kind << "): " << report.messages << " message(s) imported to " << o.out << "\n";
  for (const auto& e : report.errors) std::cout << "  rejected: " << e << "\n";
  for (const auto& n : report.notes) std::cout << "  note: " << n << "\n";
  // Rejected records are an input problem the user must see, but what could be read is written.
  return report.errors.empty() ? kExitOk : kExitFailures;
}

}  // namespace

void add_record_command(CLI::App& app, RunState& state) {
  auto o = std::make_shared<RecordCli>();
  CLI::App* cmd = app.add_subcommand("record", "Recording reverse proxy: forward to a service and write a capture");
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (port 0: ephemeral; the URL is printed)")
      ->capture_default_str();
  cmd->add_option("--upstream", o->upstream, "Service base URL, http:// or https://")->required();
  cmd->add_option("--out", o->out, "Capture file to write (docs/capture-format.md)")->required();
  cmd->add_option("--ca", o->ca_file, "CA certificate (PEM) to verify an HTTPS upstream");
  cmd->add_flag("--insecure", o->insecure, "Do not verify the upstream's TLS certificate");
  cmd->add_option("--tls-cert", o->tls_cert, "Listen with TLS: certificate (PEM)");
  cmd->add_option("--tls-key", o->tls_key, "Listen with TLS: private key (PEM)");
  cmd->add_option("--max-body", o->max_body, "Largest body forwarded, bytes")->capture_default_str();
  cmd->footer("Runs until SIGINT or SIGTERM. Exit codes: 0 ok, 2 usage error, 3 cannot listen or write.");
  cmd->callback([o, &state] { state.exit_code = run_record(*o); });

  auto i = std::make_shared<ImportCli>();
  CLI::App* imp = app.add_subcommand("import", "Convert a HAR file, WCF .svclog or raw HTTP directory to a capture");
  imp->add_option("INPUT", i->input, "A .har, .svclog, or a directory of <name>.request.<ext> / <name>.response.<ext>")
      ->required();
  imp->add_option("--out", i->out, "Capture file to write")->required();
  imp->footer("Exit codes: 0 ok, 1 some records were rejected (the rest is written), 2 usage error.");
  imp->callback([i, &state] { state.exit_code = run_import(*i); });
}

}  // namespace parley::cli
