#include "emulator/emulate_command.h"

#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <toml++/toml.h>

#include "emulator/emulator.h"
#include "emulator/tls_front.h"
#include "jose/jwk.h"
#include "util/clock_flags.h"
#include "util/file_io.h"
#include "util/toml_text.h"
#include "util/log.h"

namespace tokenwarden {
namespace {

struct EmulateOptions {
  std::string listen = "127.0.0.1:8708";
  std::string config;
  double time_scale = 1.0;
  long long time_origin = 0;
  bool demo = false;
  std::string demo_dir = "tokenwarden-demo";
  int threads = 2;
  std::string tls_cert;  // --tls: serve https, the certificate written here
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "tokenwarden: %s\n", message.c_str());
  return 1;
}

// [[merchant]] service_code, client_public_jwk_file, merchant_id, merchant_name
// [[novapost_key]] api_key
Status LoadConfig(emulator::Emulator& emu, const std::string& file) {
  TW_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  TW_ASSIGN_OR_RETURN(toml::table root, ParseToml(text, file));
  if (auto* merchants = root["merchant"].as_array()) {
    for (size_t i = 0; i < merchants->size(); ++i) {
      std::string where = file + ": merchant #" + std::to_string(i + 1);
      auto* t = merchants->get(i)->as_table();
      if (t == nullptr) return MakeError(ErrorCode::kInvalidArgument, where + ": must be a table");
      std::string code = (*t)["service_code"].value_or(std::string());
      std::string key_file = (*t)["client_public_jwk_file"].value_or(std::string());
      if (code.empty()) return MakeError(ErrorCode::kInvalidArgument, where + ": field 'service_code' is required");
      if (key_file.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, where + ": field 'client_public_jwk_file' is required");
      }
      TW_ASSIGN_OR_RETURN(std::string jwk, ReadFile(key_file));
      auto parsed = nlohmann::json::parse(jwk, nullptr, false);
      auto st = emu.RegisterMerchant(code, parsed, (*t)["merchant_id"].value_or(std::string()),
                                     (*t)["merchant_name"].value_or(std::string()));
      if (!st.ok()) return WithContext(std::move(st).error(), where);
    }
  }
  if (auto* keys = root["novapost_key"].as_array()) {
    for (size_t i = 0; i < keys->size(); ++i) {
      auto* t = keys->get(i)->as_table();
      std::string key = t ? (*t)["api_key"].value_or(std::string()) : std::string();
      if (key.empty()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         file + ": novapost_key #" + std::to_string(i + 1) + ": field 'api_key' is required");
      }
      TW_RETURN_IF_ERROR(emu.RegisterApiKey(key));
    }
  }
  return OkStatus();
}

constexpr char kDemoServiceCode[] = "00000000-0000-4000-8000-00000000demo";
constexpr char kDemoApiKey[] = "demo-novapost-api-key";

// A merchant with a fresh key pair and a Nova Post key, registered before the
// emulator listens: whoever sees it answer can use them. Returns the path of
// the merchant's private JWK.
Result<std::string> SetUpDemo(emulator::Emulator& emu, const EmulateOptions& o) {
  std::filesystem::create_directories(o.demo_dir);
  ::chmod(o.demo_dir.c_str(), 0700);
  std::string key_path = o.demo_dir + "/alliance.private.jwk.json";
  TW_ASSIGN_OR_RETURN(jose::EcKey key, jose::EcKey::Generate(jose::Curve::kP384));
  std::filesystem::remove(key_path);
  TW_RETURN_IF_ERROR(WriteNewFile(key_path, std::string(key.PrivateJwk({{"use", "enc"}, {"alg", "ECDH-ES+A256KW"}}).reveal()), 0600));
  TW_RETURN_IF_ERROR(emu.RegisterMerchant(kDemoServiceCode, key.PublicJwk()));
  TW_RETURN_IF_ERROR(emu.RegisterApiKey(kDemoApiKey));
  return std::filesystem::absolute(key_path).string();
}

// What an agent needs to use the demo accounts (the port is known once the
// emulator listens).
void PrintDemo(const std::string& key_path, int port, const std::string& tls_cert) {
  std::string base = (tls_cert.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port);
  std::string ca = tls_cert.empty() ? "" : "ca_file = \"" + std::filesystem::absolute(tls_cert).string() + "\"\n";
  std::printf(
      "emulator demo ready on %s\n\n# an agent configuration for it:\n"
      "[[account]]\nid = \"shop\"\nprovider = \"alliance\"\nbase_url = \"%s\"\n%s"
      "service_code = \"%s\"\nprivate_jwk_file = \"%s\"\n\n"
      "[[account]]\nid = \"delivery\"\nprovider = \"novapost\"\nbase_url = \"%s/v.1.0\"\n%s"
      "api_key = \"%s\"\n",
      base.c_str(), base.c_str(), ca.c_str(), kDemoServiceCode, key_path.c_str(), base.c_str(), ca.c_str(),
      kDemoApiKey);
  std::fflush(stdout);
}

int Run(const EmulateOptions& o) {
  // Block the stop signals before any thread starts, then wait for one.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto clock = ClockFromFlags(o.time_scale, o.time_origin);
  if (!clock.ok()) return Fail(clock.error().message);
  emulator::Emulator emu(*clock);
  if (!o.config.empty()) {
    auto st = LoadConfig(emu, o.config);
    if (!st.ok()) return Fail(st.error().message);
  }
  std::string demo_key_path;
  if (o.demo) {
    auto path = SetUpDemo(emu, o);
    if (!path.ok()) return Fail(path.error().message);
    demo_key_path = *path;
  }
  http::ServerOptions so;
  // With --tls the plain server is the TLS front's backend, on loopback.
  so.listen = o.tls_cert.empty() ? o.listen : "127.0.0.1:0";
  so.threads = o.threads;
  so.error_responder = emulator::Emulator::ServerError;
  auto server = http::Server::Start(so, emu.handler());
  if (!server.ok()) return Fail(server.error().message);
  int port = (*server)->port();
  std::unique_ptr<emulator::TlsFront> tls;
  if (!o.tls_cert.empty()) {
    auto front = emulator::TlsFront::Start(o.listen, o.tls_cert, port);
    if (!front.ok()) return Fail(front.error().message);
    tls = std::move(*front);
    port = tls->port();
  }
  if (o.demo) PrintDemo(demo_key_path, port, o.tls_cert);
  log::Info("emulator_listening", {{"listen", o.listen}, {"port", port}, {"tls", !o.tls_cert.empty()},
                                   {"time_scale", o.time_scale}});
  int sig = 0;
  sigwait(&stop, &sig);
  log::Info("emulator_stopping", {{"signal", sig}});
  if (tls) tls->Stop();
  (*server)->Stop(std::chrono::seconds(5));
  return 0;
}

}  // namespace

void AddEmulateCommand(CLI::App& root, std::function<int()>& run) {
  auto o = std::make_shared<EmulateOptions>();
  auto* cmd = root.add_subcommand(
      "emulate", "Serve a local Alliance Bank and Nova Post with fault injection and a controllable "
                 "clock (control API under /_emulator/, see docs/EMULATOR.md)");
  cmd->add_option("--listen", o->listen, "HOST:PORT (port 0 picks a free one) or unix:/path")->capture_default_str();
  cmd->add_option("--config", o->config, "TOML file with [[merchant]] and [[novapost_key]] to preload")
      ->check(CLI::ExistingFile);
  cmd->add_option("--time-scale", o->time_scale, "Simulated seconds per real second")->capture_default_str();
  cmd->add_option("--time-origin", o->time_origin,
                  "Unix seconds where the scaled clock starts (share it with the agent)");
  cmd->add_flag("--demo", o->demo, "Preload a demo merchant (new key pair) and a Nova Post key; print an agent config");
  cmd->add_option("--demo-dir", o->demo_dir, "Where --demo writes the merchant's private JWK (mode 0600)")
      ->capture_default_str();
  cmd->add_option("--tls", o->tls_cert,
                  "Serve https on --listen (loopback peers only) with a fresh self-signed certificate, "
                  "written (PEM) to this file for the client to trust");
  cmd->add_option("--threads", o->threads, "Server threads")->check(CLI::Range(1, 64))->capture_default_str();
  cmd->callback([&run, o] { run = [o] { return Run(*o); }; });
}

}  // namespace tokenwarden
