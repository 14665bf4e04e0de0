// aimsgate_echo: the bare TLS baseline of bench/load — cpp-httplib with the
// same TLS and connection settings as `aimsgate serve` (TLS 1.3, TCP_NODELAY,
// keep-alive up to 1,000 requests, N worker threads), answering POST /validate
// with the request body and doing nothing else.
//
//   aimsgate_echo --cert tls.crt --key tls.key --port-file port [--threads 64]
#include <openssl/ssl.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <httplib.h>

namespace {
httplib::Server* g_server = nullptr;
void Stop(int) {
  if (g_server) g_server->stop();
}
}  // namespace

int main(int argc, char** argv) {
  std::string cert, key, port_file;
  int threads = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--cert")) cert = argv[i + 1];
    else if (!std::strcmp(argv[i], "--key")) key = argv[i + 1];
    else if (!std::strcmp(argv[i], "--port-file")) port_file = argv[i + 1];
    else if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  if (cert.empty() || key.empty() || threads < 1) {
    std::fprintf(stderr, "usage: aimsgate_echo --cert PEM --key PEM [--port-file F] [--threads N]\n");
    return 2;
  }
  httplib::SSLServer server([&](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_3_VERSION);
    return SSL_CTX_use_certificate_chain_file(&ctx, cert.c_str()) == 1 &&
           SSL_CTX_use_PrivateKey_file(&ctx, key.c_str(), SSL_FILETYPE_PEM) == 1;
  });
  if (!server.is_valid()) {
    std::fprintf(stderr, "cannot load the TLS key pair\n");
    return 2;
  }
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(10);
  server.Post("/validate", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "application/json");
  });
  g_server = &server;
  std::signal(SIGTERM, Stop);
  std::signal(SIGINT, Stop);
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return 2;
  if (!port_file.empty()) std::ofstream(port_file) << port << "\n";
  server.listen_after_bind();
  return 0;
}
