// aimsgate serve: the Kubernetes validating admission webhook (SPEC §4, docs/webhook.md).
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/engine_flags.h"
#include "webhook/server.h"
#include "webhook/yaml_config.h"

namespace aimsgate::cli {
namespace {

struct ServeFlags {
  webhook::ServerOptions server;
  std::vector<std::string> enforcement;
  std::string evidence_failure = "deny";
  std::string config;
};

int RunServe(CLI::App* app, ServeFlags* f) {
  webhook::ServerOptions& o = f->server;
  std::string config_error;
  if (!f->config.empty() && !webhook::ApplyYamlConfig(app, f->config, &config_error)) {
    std::cerr << config_error << "\n";
    return 2;
  }
  for (const auto& e : f->enforcement) {
    std::string error;
    if (!o.engine.enforcement.Add(e, &error)) {
      std::cerr << "aimsgate serve: error: " << error << "\n";
      return 2;
    }
  }
  o.evidence_failure_deny = f->evidence_failure == "deny";
  if (app->count("--read-timeout") > 0 && app->count("--request-timeout") == 0) {
    o.request_timeout_seconds = o.read_timeout_seconds;
  }
  o.version = AIMSGATE_VERSION;
  return webhook::RunServer(o);
}

}  // namespace

void AddServeCommand(CLI::App& root, CommandList* commands) {
  auto f = std::make_shared<ServeFlags>();
  webhook::ServerOptions& o = f->server;
  CLI::App* app = root.add_subcommand("serve", kServeSummary);
  app->add_option("--config", f->config, "YAML file with the same settings as the flags (flags win)");
  AddEngineFlags(app, &o.engine);
  app->add_option("--listen", o.listen, "Address to listen on: [HOST]:PORT (port 0 = any free port)")
      ->capture_default_str();
  app->add_option("--tls-cert", o.tls.cert_path, "Server certificate (PEM, leaf first, then chain)");
  app->add_option("--tls-key", o.tls.key_path, "Server private key (PEM)");
  app->add_option("--tls-min-version", o.tls.min_version, "Lowest TLS version: 1.3, or 1.2 (ECDHE+AEAD ciphers only)")
      ->check(CLI::IsMember({"1.2", "1.3"}))
      ->capture_default_str();
  app->add_option("--client-ca", o.tls.client_ca_path, "Require client certificates signed by this CA bundle (PEM)");
  app->add_option("--client-cn", o.tls.client_cn, "Accept only the client certificate with this CN (or DNS SAN)");
  app->add_flag("--insecure-http", o.insecure_http, "Serve plain HTTP (local testing only; never in a cluster)");
  app->add_option("--threads", o.threads, "Worker threads that evaluate complete requests (started on demand)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app->add_option("--max-connections", o.max_connections,
                  "Open connections at once; more wait in the listen backlog")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  app->add_option("--max-queued-requests", o.max_queued_requests,
                  "Complete requests waiting for a worker; more are answered 503")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app->add_option("--max-body-bytes", o.max_body_bytes, "Largest request body; larger gets HTTP 413")
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30))
      ->capture_default_str();
  app->add_option("--request-timeout", o.request_timeout_seconds,
                  "Seconds from a request's first byte (a new connection's accept, TLS handshake included) "
                  "until it must be complete; else the connection is closed")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  app->add_option("--read-timeout", o.read_timeout_seconds, "Deprecated: same as --request-timeout")
      ->check(CLI::Range(1, 300));
  app->add_option("--write-timeout", o.write_timeout_seconds, "Seconds to wait while writing a response")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  app->add_option("--idle-timeout", o.idle_timeout_seconds, "Seconds an idle keep-alive connection stays open")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  app->add_option("--drain-timeout", o.drain_timeout_seconds,
                  "Seconds after SIGTERM before every connection is closed and the process exits")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app->add_option("--keep-alive-max-requests", o.keep_alive_max_requests, "Requests served per connection")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app->add_option("--reload-interval-ms", o.reload_interval_ms,
                  "How often the pack, input and TLS files are checked for changes (0 = SIGHUP only)")
      ->check(CLI::Range(0, 3600000))
      ->capture_default_str();
  app->add_option("--port-file", o.port_file, "Write the bound port to this file once listening");
  app->add_option("--enforcement", f->enforcement,
                  "enforce (default), warn (deny rules warn) or audit (deny rules only recorded); "
                  "PACK=MODE for one pack (repeatable)");
  app->add_option("--evidence", o.evidence_path, "Append evidence records to FILE (- = stdout)");
  app->add_option("--evidence-key", o.evidence_key_path, "Ed25519 PEM private key that signs evidence checkpoints");
  app->add_option("--evidence-failure", f->evidence_failure, "When evidence cannot be written: deny or allow")
      ->check(CLI::IsMember({"deny", "allow"}))
      ->capture_default_str();
  app->add_option("--evidence-fsync", o.evidence_fsync, "When to fsync the evidence log")
      ->check(CLI::IsMember({"always", "checkpoint", "never"}))
      ->capture_default_str();
  app->add_option("--evidence-redact", o.evidence_redact,
                  "JSON path whose values (in object and oldObject) are masked in evidence and in "
                  "the answer (repeatable); Secret data always is")
      ->allow_extra_args(false);
  commands->push_back({app, [app, f] { return RunServe(app, f.get()); }});
}

}  // namespace aimsgate::cli
