#include "harness/engine/passive.h"

#include <exception>

namespace parley::engine {
namespace {

constexpr std::size_t kEvidenceExchanges = 5;
constexpr std::size_t kEvidenceNotes = 50;
constexpr std::size_t kEvidenceBodyBytes = 64u << 10;

bool looks_like_xml(std::string_view body) {
  std::size_t i = body.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) ++i;
  return i < body.size() && body[i] == '<';
}

void parse_message(const capture::Message* m, ObservedMessage& out) {
  out.http = m;
  if (m == nullptr || !looks_like_xml(m->body)) return;
  auto doc = xml::parse(m->body);
  if (!doc.ok()) {
    out.parse_error = doc.error().message();
    return;
  }
  out.doc.emplace(std::move(*doc));
  auto env = wssc::parse_envelope(*out.doc);
  if (!env.ok()) {
    out.parse_error = env.error().message();
    return;
  }
  out.envelope.emplace(std::move(*env));
}

std::string capped(const std::string& body) {
  if (body.size() <= kEvidenceBodyBytes) return body;
  return body.substr(0, kEvidenceBodyBytes) + "\n[... " + std::to_string(body.size() - kEvidenceBodyBytes) +
         " more bytes not shown]";
}

}  // namespace

std::string Observation::where(const capture::Message* m) const {
  std::string out = source + " exchange " + std::to_string(index);
  if (m != nullptr) {
    out += m->direction == capture::Direction::kRequest ? " request" : " response";
    if (!m->origin.empty()) out += " (" + m->origin + ")";
  }
  return out;
}

bool Observation::service_level() const {
  return (request.http != nullptr && request.http->level == capture::Level::kService) ||
         (response.http != nullptr && response.http->level == capture::Level::kService);
}

void TallyObserver::add(Verdict v, const Observation& o, const capture::Message* m, std::string element,
                        std::string what) {
  const int slot = v == Verdict::kFail ? 0 : v == Verdict::kWarn ? 1 : 2;
  std::string line = o.where(m) + ", " + element + ": " + what;
  if (counts_[slot]++ == 0) first_[slot] = line;
  if (evidence_.notes.size() < kEvidenceNotes) {
    evidence_.notes.push_back(std::string(to_string(v)) + ": " + line);
  }
  if (exchanges_recorded_ < kEvidenceExchanges && (v != Verdict::kInfo || counts_[0] + counts_[1] == 0)) {
    ++exchanges_recorded_;
    EvidenceExchange e;
    e.label = o.where();
    if (const capture::Message* rq = o.exchange->request ? &*o.exchange->request : nullptr) {
      e.url = rq->url.empty() ? rq->target() : rq->url;
      e.request_content_type = std::string(rq->headers.get("Content-Type").value_or(""));
      e.request_soap_action = std::string(rq->headers.get("SOAPAction").value_or(""));
      e.request_body = capped(rq->body);
    }
    if (const capture::Message* rs = o.exchange->response ? &*o.exchange->response : nullptr) {
      e.response_status = rs->status();
      e.response_content_type = std::string(rs->headers.get("Content-Type").value_or(""));
      e.response_body = capped(rs->body);
    } else {
      e.error = "no response in the capture";
    }
    evidence_.exchanges.push_back(std::move(e));
  }
}

void TallyObserver::fail(const Observation& o, const capture::Message* m, std::string element, std::string what) {
  add(Verdict::kFail, o, m, std::move(element), std::move(what));
}
void TallyObserver::warn(const Observation& o, const capture::Message* m, std::string element, std::string what) {
  add(Verdict::kWarn, o, m, std::move(element), std::move(what));
}
void TallyObserver::info(const Observation& o, const capture::Message* m, std::string element, std::string what) {
  add(Verdict::kInfo, o, m, std::move(element), std::move(what));
}

Outcome TallyObserver::finish() {
  auto more = [](std::size_t n) {
    return n > 1 ? " (and " + std::to_string(n - 1) + " more finding" + (n > 2 ? "s" : "") + ")" : std::string();
  };
  if (counts_[0] > 0) return Outcome::fail(first_[0] + more(counts_[0]));
  if (counts_[1] > 0) return Outcome::warn(first_[1] + more(counts_[1]));
  if (counts_[2] > 0) return Outcome::info(first_[2] + more(counts_[2]));
  if (checked_ > 0) {
    return Outcome::pass(std::to_string(checked_) + " checked, no violation" + pass_reason_suffix);
  }
  return Outcome::not_applicable(na_reason_);
}

Case passive_case(CaseInfo info, PassiveFactory factory) {
  Case c;
  c.info = std::move(info);
  c.passive = std::move(factory);
  return c;
}

AnalyzeResult analyze_inputs(const Registry& registry, const std::vector<std::string>& inputs,
                             const AnalyzeOptions& options) {
  AnalyzeResult out;
  RunResult& run = out.run;
  run.started = std::chrono::system_clock::now();
  struct Active {
    const Case* c;
    std::unique_ptr<PassiveObserver> observer;
    std::string error;  // the observer threw: ERROR
  };
  std::vector<Active> active;
  for (const auto& c : registry.all()) {
    if (!c.passive || !matches_filters(c.info.id, options.filters)) continue;
    active.push_back({&c, c.passive(options.settings), {}});
  }
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t ordinal = 0;
  for (const auto& path : inputs) {
    InputSummary summary;
    summary.path = path;
    capture::Header header;
    capture::ImportReport report;
    const std::vector<std::string> no_notes;
    capture::ExchangeAssembler assembler([&](capture::Exchange&& e) {
      Observation o;
      o.source = path;
      o.index = e.index;
      o.ordinal = ++ordinal;
      o.exchange = &e;
      o.input_notes = &no_notes;
      parse_message(e.request ? &*e.request : nullptr, o.request);
      parse_message(e.response ? &*e.response : nullptr, o.response);
      ++summary.exchanges;
      summary.bytes += (e.request ? e.request->body.size() : 0) + (e.response ? e.response->body.size() : 0);
      for (auto& a : active) {
        if (!a.error.empty()) continue;
        try {
          a.observer->observe(o);
        } catch (const std::exception& ex) {
          a.error = o.where() + ": the check threw: " + ex.what();
        } catch (...) {
          a.error = o.where() + ": the check threw an unknown exception";
        }
      }
    });
    Status s = capture::import_any(path, assembler, report, &header, options.import_limits);
    assembler.finish();
    summary.kind = header.origin;
    summary.messages = report.messages;
    summary.errors = std::move(report.errors);
    summary.notes = std::move(report.notes);
    if (!s.ok()) summary.fatal = s.error().message();
    for (auto& a : active) {
      if (a.error.empty()) a.observer->end_input(summary.notes);
    }
    out.inputs.push_back(std::move(summary));
  }

  const RequirementCatalog& catalog = RequirementCatalog::builtin();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  for (auto& a : active) {
    CaseResult r;
    r.test_case = a.c;
    Outcome raw = a.error.empty() ? a.observer->finish() : Outcome::error(a.error);
    r.evidence = std::move(a.observer->evidence());
    r.raw_verdict = raw.verdict;
    Outcome judged = apply_level_rules(a.c->info, raw, catalog, r.wcf_profile);
    r.verdict = judged.verdict;
    r.reason = judged.reason;
    r.duration = elapsed;
    r.replay = "parley analyze --filter '" + a.c->info.id + "' --out DIR";
    for (const auto& in : inputs) r.replay += " " + in;
    run.results.push_back(std::move(r));
  }

  // The summary rules of run_cases (runner.cpp): nothing decisive is a failure too.
  RunSummary& s = run.summary;
  s.total = run.results.size();
  for (auto& r : run.results) {
    s.counts[static_cast<int>(r.verdict)]++;
    if (r.verdict != Verdict::kNotApplicable) ++s.applicable;
    if (r.verdict == Verdict::kPass || r.verdict == Verdict::kFail) s.any_decisive = true;
    bool failure = counts_as_failure(r.verdict, options.strict);
    if (options.baseline != nullptr) {
      if (const BaselineEntry* e = options.baseline->find(r.test_case->info.id)) {
        r.baseline_reason = e->reason;
        if (r.verdict == e->verdict) {
          failure = false;
        } else {
          r.unexpected = true;
          failure = true;
        }
      }
    }
    if (failure) ++s.failures;
  }
  s.exit_code = (s.failures > 0 || !s.any_decisive) ? 1 : 0;
  run.finished = std::chrono::system_clock::now();
  return out;
}

}  // namespace parley::engine
