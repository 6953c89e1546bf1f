#include "harness/oracle/http_binding.h"

namespace parley::oracle {
namespace {

transport::HttpResponse plain(int status, std::string body) {
  transport::HttpResponse r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

transport::HttpResponse handle_http(Service& service, const ServeConfig& config, const transport::HttpRequest& request,
                                    const transport::ConnectionInfo& connection) {
  const std::string path = path_of(request.target);
  if (path == config.sts_path || path == config.service_path) {
    if (request.method != "POST") {
      auto r = plain(405, "this endpoint accepts SOAP over POST only\n");
      r.headers.set("Allow", "POST");
      return r;
    }
    // Hostile-peer faults replace the whole answer (harness/oracle/faults.h).
    if (auto hostile = hostile_response(config.service.faults, request)) return std::move(*hostile);
    SoapRequest soap;
    soap.content_type = std::string(request.headers.get("Content-Type").value_or(""));
    soap.soap_action = std::string(request.headers.get("SOAPAction").value_or(""));
    soap.body = request.body;
    soap.over_tls = connection.tls;
    SoapResponse out = service.handle(soap);
    transport::HttpResponse r;
    r.status = out.status;
    r.headers.set("Content-Type", out.content_type);
    r.body = std::move(out.body);
    return r;
  }
  if (path == "/" && request.method == "GET") {
    return plain(200, "parley reference WS-SecureConversation service\n  STS:     " + config.sts_path +
                          "\n  service: " + config.service_path + "\n");
  }
  return plain(404, "no endpoint at " + path + "\n");
}

SendFunction http_sender(transport::HttpClient& client) {
  return [&client](const std::string& url, const SoapRequest& req) -> Result<SoapResponse> {
    transport::HttpRequest http;
    http.method = "POST";
    http.headers.set("Content-Type", req.content_type);
    if (!req.soap_action.empty()) http.headers.set("SOAPAction", req.soap_action);
    http.body = req.body;
    auto sent = client.send(url, http);
    // Every transport failure (refused, timeout, TLS) means the exchange could not happen.
    if (!sent.ok()) return Error(ErrorCode::kIo, sent.error().message(), "transport");
    transport::HttpResponse resp = std::move(sent).value();
    SoapResponse out;
    out.status = resp.status;
    out.content_type = std::string(resp.headers.get("Content-Type").value_or(""));
    out.body = std::move(resp.body);
    return out;
  };
}

}  // namespace parley::oracle
