// The oracle on HTTP: routes requests of a transport::HttpServer to the Service, and gives the
// reference client a SendFunction over transport::HttpClient.
#pragma once

#include <string>

#include "harness/oracle/client.h"
#include "harness/oracle/config.h"
#include "harness/oracle/service.h"
#include "harness/transport/http_client.h"
#include "harness/transport/http_server.h"

namespace parley::oracle {

// POST on the STS or service path goes to the Service; GET / answers a plain-text index of the
// endpoints; anything else is 404 / 405 with a short plain body.
transport::HttpResponse handle_http(Service& service, const ServeConfig& config, const transport::HttpRequest& request,
                                    const transport::ConnectionInfo& connection);

// A SendFunction that POSTs through `client` (which must outlive the function).
SendFunction http_sender(transport::HttpClient& client);

}  // namespace parley::oracle
