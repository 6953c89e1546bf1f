// A real redis-server on 127.0.0.1 for tests (Debian's redis-server; scripts/setup installs it):
// started on a free port with no persistence, stopped by the destructor. Missing redis-server is
// a test failure with a clear message, never a skip.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "harness/rp/session_cache.h"

extern char** environ;

namespace parley::rp::testing {

inline std::string find_redis_server() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
    std::filesystem::path p = std::filesystem::path(dir) / "redis-server";
    if (std::filesystem::exists(p)) return p.string();
  }
  return "";
}

inline std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RedisServer {
 public:
  RedisServer() {
    const std::string binary = find_redis_server();
    if (binary.empty()) {
      error_ = "redis-server is not installed (scripts/setup installs Debian's redis-server)";
      return;
    }
    port_ = free_port();
    std::vector<std::string> args = {binary, "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no", "--daemonize", "no",
                                     "--loglevel", "warning", "--logfile", "/dev/null"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      error_ = "cannot start " + binary;
      pid_ = 0;
      return;
    }
    RedisOptions o;
    o.port = port_;
    RedisSessionCache probe(o);
    for (int i = 0; i < 200; ++i) {
      if (probe.ping().ok()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    error_ = "redis-server did not answer PING on port " + std::to_string(port_);
  }
  ~RedisServer() { stop(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = 0;
    }
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::uint16_t port() const { return port_; }
  RedisOptions options(std::string prefix = "parley:test:") const {
    RedisOptions o;
    o.port = port_;
    o.key_prefix = std::move(prefix);
    o.connect_timeout = std::chrono::milliseconds(500);
    o.command_timeout = std::chrono::milliseconds(500);
    return o;
  }

 private:
  pid_t pid_ = 0;
  std::uint16_t port_ = 0;
  std::string error_;
};

}  // namespace parley::rp::testing
