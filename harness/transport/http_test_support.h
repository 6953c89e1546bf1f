// Test-only helpers for the transport tests: raw loopback sockets (to play hostile peers the
// real client and server would never be), a scripted raw HTTP server, self-signed certificates
// made with OpenSSL, and polling for conditions another thread brings about.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace parley::transport::testing {

// Polls `condition` every 10 ms until it holds or `limit` passes (a hang guard, not a speed
// assertion).
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// A blocking TCP socket to 127.0.0.1:port. Reads give up after `recv_timeout`.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port,
                         std::chrono::milliseconds recv_timeout = std::chrono::seconds(20)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(recv_timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((recv_timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Everything until the peer closes (or the receive timeout / an error).
  std::string read_until_close() {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_by_peer_ = n == 0;
        reset_by_peer_ = n < 0 && errno == ECONNRESET;
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }

  // Reads until `marker` has arrived (or close / timeout).
  std::string read_until(std::string_view marker) {
    std::string out;
    char c;
    while (out.find(marker) == std::string::npos) {
      ssize_t n = ::recv(fd_, &c, 1, 0);
      if (n <= 0) {
        closed_by_peer_ = n == 0;
        reset_by_peer_ = n < 0 && errno == ECONNRESET;
        break;
      }
      out.push_back(c);
    }
    return out;
  }

  // True after a read saw an orderly close (EOF) from the peer.
  bool closed_by_peer() const { return closed_by_peer_; }
  // True after a read saw the peer end the connection, orderly or with a reset (not a timeout).
  bool ended_by_peer() const { return closed_by_peer_ || reset_by_peer_; }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_by_peer_ = false;
  bool reset_by_peer_ = false;
};

// A one-thread raw TCP server on 127.0.0.1 that runs `script` for each connection it accepts
// (one at a time), after reading the request head. The script writes whatever it likes through
// the `Peer`; it should return when `peer.stopping()` or when a write fails.
class RawServer {
 public:
  class Peer {
   public:
    Peer(int fd, const std::atomic<bool>& stop) : fd_(fd), stop_(stop) {}
    bool write(std::string_view data) {
      while (!data.empty()) {
        if (stop_) return false;
        ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
      }
      return true;
    }
    // Sleeps up to `d`, returning early (false) when the server is stopping.
    bool pause(std::chrono::milliseconds d) {
      auto until = std::chrono::steady_clock::now() + d;
      while (std::chrono::steady_clock::now() < until) {
        if (stop_) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return !stop_;
    }
    // Makes the close send a TCP reset instead of a FIN.
    void reset_on_close() {
      linger l{1, 0};
      ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    bool stopping() const { return stop_; }

   private:
    int fd_;
    const std::atomic<bool>& stop_;
  };

  using Script = std::function<void(Peer&, const std::string& request_head)>;

  explicit RawServer(Script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  int connections() const { return connections_; }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::string head;
      char c;
      while (head.find("\r\n\r\n") == std::string::npos && !stop_) {
        if (::recv(fd, &c, 1, 0) <= 0) break;
        head.push_back(c);
      }
      Peer peer(fd, stop_);
      script_(peer, head);
      ::close(fd);
    }
  }

  Script script_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// A temporary directory removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "parley-transport-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CertFiles {
  std::string cert_file;
  std::string key_file;
};

// A self-signed P-256 certificate for 127.0.0.1, ::1 and localhost, written as PEM files
// `<name>.crt` and `<name>.key` in `dir`. Returns empty paths on failure.
inline CertFiles make_self_signed(const std::filesystem::path& dir, const std::string& name) {
  CertFiles out;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  if (!key || !cert) return out;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::rand() % 100000 + 1));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return out;
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return out;
  std::string cert_path = (dir / (name + ".crt")).string();
  std::string key_path = (dir / (name + ".key")).string();
  FILE* f = std::fopen(cert_path.c_str(), "w");
  if (f == nullptr) return out;
  PEM_write_X509(f, cert.get());
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  if (f == nullptr) return out;
  PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  out.cert_file = cert_path;
  out.key_file = key_path;
  return out;
}

}  // namespace parley::transport::testing
