// The drop-in listener with the users' own clients: Node programs written
// from the bank's and Nova Post's documentation (examples/dropin/), which
// authorize by themselves before every call, pointed at the listener by
// their base URL alone; the real agent and emulator over loopback.
#include <thread>

#include "agent/agent_process_test_util.h"
#include "jose/jwe.h"
#include "jose/jwk.h"

namespace tokenwarden::agent {
namespace {

// npm's `jose` and the clients, in the build folder (an ES module resolves
// packages from its own folder up), prepared by the one script that the
// demo and the benchmark use too; it serialises concurrent test processes.
std::string ClientDir() {
  static const std::string dir = [] {
    auto r = testing::RunProcess({"/usr/bin/python3", std::string(TW_SOURCE_DIR) + "/scripts/node_clients.py",
                                  std::string(TW_BIN_DIR) + "/.."},
                                 "", std::chrono::minutes(6));
    EXPECT_EQ(r.exit_code, 0) << "scripts/node_clients.py: " << r.err;
    std::string d = r.out;
    while (!d.empty() && (d.back() == '\n' || d.back() == '\r')) d.pop_back();
    return d;
  }();
  return dir;
}

class DropinProcessTest : public AgentProcessTest {
 protected:
  void StartWithDropin(const std::string& shop_extra = "") {
    dropin_port_ = testing::FreeLoopbackPort();
    StartAgent(Config(shop_extra, "\n[dropin]\nlisten = \"127.0.0.1:" + std::to_string(dropin_port_) + "\"\n"));
  }
  std::string DropinUrl(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(dropin_port_) + path;
  }
  testing::HttpReply Dropin(const std::string& method, const std::string& target, Headers headers = {},
                            const std::string& body = "") {
    return testing::HttpCall(dropin_port_, method, target, headers, body);
  }

  // Runs `n` client processes at once; each must succeed. Their outputs.
  std::vector<nlohmann::json> RunClients(const std::string& script, int n, const std::vector<std::string>& env) {
    std::string dir = ClientDir();
    std::vector<testing::ProcessResult> results(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        std::vector<std::string> argv = {"/usr/bin/env"};
        argv.insert(argv.end(), env.begin(), env.end());
        argv.push_back("node");
        argv.push_back(dir + "/" + script);
        results[i] = testing::RunProcess(argv, "", std::chrono::seconds(120));
      });
    }
    for (auto& t : threads) t.join();
    std::vector<nlohmann::json> out;
    for (auto& r : results) {
      EXPECT_EQ(r.exit_code, 0) << script << ": " << r.err << r.out;
      out.push_back(nlohmann::json::parse(r.out, nullptr, false));
    }
    return out;
  }

  std::vector<std::string> AllianceEnv(int calls) const {
    return {"BASE_URL=" + DropinUrl(), std::string("SERVICE_CODE=") + kServiceCode,
            "KEY_FILE=" + dir_ + "/demo/alliance.private.jwk.json", "CALLS=" + std::to_string(calls)};
  }

  double Metric(const std::string& series) {
    std::string text = Agent("GET", "/metrics").body;
    size_t at = text.find(series + " ");
    if (at == std::string::npos) return -1;
    return std::atof(text.c_str() + at + series.size() + 1);
  }

  // The bank's authorize through the listener, decrypted with the
  // merchant's key as a client does: {"headers": {...}} as Token() has it.
  nlohmann::json DropinBankSession() {
    auto r = Dropin("POST", "/api-gateway/authorize_virtual_device",
                    {{"content-type", "application/json"}, {"x-api_version", "v1"}},
                    nlohmann::json{{"serviceCode", kServiceCode}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    auto key = jose::EcKey::FromJwkString(Slurp(dir_ + "/demo/alliance.private.jwk.json"));
    auto opened = jose::DecryptCompact(r.json().value("jwe", ""), *key);
    EXPECT_TRUE(opened.ok()) << r.body;
    if (!opened.ok()) return {};
    auto payload = nlohmann::json::parse(opened->plaintext.reveal());
    secrets_.insert(payload.value("deviceId", ""));
    secrets_.insert(payload.value("refreshToken", ""));
    return {{"headers",
             {{"x-api_version", "v1"}, {"x-device_id", payload["deviceId"]}, {"x-refresh_token", payload["refreshToken"]}}}};
  }

  int dropin_port_ = 0;
};

// Each client: per order, authorize + create-order, authorize + read it
// back, the payer pays (the emulator's control API), authorize + read the
// payment, authorize + refund half, authorize + refund the rest, authorize
// + a refund past the amount paid, which the bank refuses.
TEST_F(DropinProcessTest, TwentyBankClientsMakeOneAuthorizationBetweenThem) {
  StartWithDropin();
  ASSERT_EQ(Authorizations("alliance", kServiceCode), 1);
  int calls_before = Stats()["alliance"][kServiceCode].value("api_calls", -1);
  auto env = AllianceEnv(2);
  env.push_back("PAYER_URL=http://127.0.0.1:" + std::to_string(emu_port_));
  auto outs = RunClients("alliance_client.mjs", 20, env);
  int authorizations = 0, calls = 0;
  std::set<std::string> orders;
  for (const auto& o : outs) {
    ASSERT_TRUE(o.is_object());
    authorizations += o.value("authorizations", 0);
    calls += o.value("calls", 0);
    for (const auto& id : o["orders"]) orders.insert(id.get<std::string>());
  }
  EXPECT_EQ(authorizations, 240) << "each client authorized before each of its calls";
  EXPECT_EQ(calls, 240);
  EXPECT_EQ(orders.size(), 40u) << "every order is its own";
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 1) << "the upstream saw the agent's one authorization";
  EXPECT_EQ(Stats()["alliance"][kServiceCode].value("api_calls", -1) - calls_before, 200) << "every call but the refused refunds";
  EXPECT_EQ(Metric("tokenwarden_dropin_authorizations_answered_total{account=\"shop\"}"), 240);
  // The refused refunds too are answered 200 (b_payment_invalid_refund_amount), as the bank answers them.
  EXPECT_EQ(Metric("tokenwarden_dropin_requests_total{account=\"shop\",status=\"200\"}"), 240);
  EXPECT_EQ(Metric("tokenwarden_dropin_requests_total{account=\"shop\",status=\"400\"}"), -1) << "no series: none was 400";
}

TEST_F(DropinProcessTest, TwentyNovaPostClientsShareOneToken) {
  StartWithDropin();
  int before = Authorizations("novapost", kApiKey);
  ASSERT_EQ(before, 1);
  // The base URL as Nova Post documents it, path and trailing slash kept.
  auto outs = RunClients("novapost_client.mjs", 20,
                         {"BASE_URL=" + DropinUrl("/v.1.0/"), std::string("API_KEY=") + kApiKey, "CALLS=3"});
  for (const auto& o : outs) EXPECT_EQ(o.value("authorizations", 0), 3);
  EXPECT_EQ(Authorizations("novapost", kApiKey), 1);
  EXPECT_EQ(Stats()["novapost"][kApiKey].value("rejected", -1), 0);
  EXPECT_EQ(Metric("tokenwarden_dropin_authorizations_answered_total{account=\"delivery\"}"), 60);
  EXPECT_EQ(Metric("tokenwarden_dropin_requests_total{account=\"delivery\",status=\"200\"}"), 60);
}

// A client's session headers, from an authorization through the listener.
Headers BankHeaders(const nlohmann::json& token) {
  Headers h = {{"content-type", "application/json"}};
  for (const auto& [name, value] : token["headers"].items()) h.emplace_back(name, value.get<std::string>());
  return h;
}

TEST_F(DropinProcessTest, ClientsHoldingTheOldSessionGoOnAfterARenewal) {
  StartWithDropin();
  // Each client authorizes through the listener, as it does by itself.
  auto old_token = DropinBankSession();
  auto np_answer = Dropin("GET", std::string("/v.1.0/clients/authorization?apiKey=") + kApiKey);
  ASSERT_EQ(np_answer.status, 200) << np_answer.body;
  std::string old_jwt = np_answer.json().value("jwt", "");
  secrets_.insert(old_jwt);
  // The agent renews (as its schedule would): both upstreams end the old
  // sessions' use to the agent, the clients still hold them.
  ASSERT_EQ(V1("POST", "/v1/accounts/shop/authorize").status, 200);
  ASSERT_EQ(V1("POST", "/v1/accounts/delivery/authorize").status, 200);
  ASSERT_EQ(Authorizations("alliance", kServiceCode), 2);
  ASSERT_EQ(Authorizations("novapost", kApiKey), 2);
  auto fresh = Token("shop");
  ASSERT_NE(fresh["headers"]["x-device_id"], old_token["headers"]["x-device_id"]);
  ASSERT_NE(Token("delivery")["headers"]["Authorization"], old_jwt);
  Headers old_headers = BankHeaders(old_token);
  for (int i = 0; i < 3; ++i) {
    auto r = Dropin("POST", "/ecom/execute_request/merchant/ecom_balance/v1/get", old_headers, "{}");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().value("msgType", ""), "") << r.body;
  }
  auto np = Dropin("GET", "/v.1.0/divisions", {{"authorization", old_jwt}});
  EXPECT_EQ(np.status, 200) << np.body;
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 2) << "no authorization beyond the agent's renewal";
  EXPECT_EQ(Authorizations("novapost", kApiKey), 2);
}

TEST_F(DropinProcessTest, AnExpiredTokenMidRunIsOneReauthorization) {
  StartWithDropin();
  Fault({{"kind", "error"}, {"msgCode", "b_expired_token"}, {"path_prefix", "/ecom/"}, {"count", 1}});
  auto outs = RunClients("alliance_client.mjs", 4, AllianceEnv(2));
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 2) << "one re-authorization for the rejected call";
  EXPECT_EQ(Faults().size(), 0u) << "the fault was met";
}

TEST_F(DropinProcessTest, StrangersAreAnsweredInTheUpstreamsShapeAndNothingIsForwarded) {
  StartWithDropin();
  const std::string wrong_code = "11111111-2222-4333-8444-555555555555";
  const std::string wrong_key = "not-the-novapost-key-0123456789";
  const std::string forged_device = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
  secrets_.insert(wrong_code);
  secrets_.insert(wrong_key);
  secrets_.insert(forged_device);
  auto before = Stats();

  auto code = Dropin("POST", "/api-gateway/authorize_virtual_device",
                     {{"content-type", "application/json"}, {"x-api_version", "v1"}},
                     nlohmann::json{{"serviceCode", wrong_code}}.dump());
  EXPECT_EQ(code.status, 200);  // as the bank's error-code page gives b_merchant_not_found
  EXPECT_EQ(code.json().value("msgCode", ""), "b_merchant_not_found") << code.body;
  EXPECT_EQ(code.json().value("msgType", ""), "ERROR");

  auto key = Dropin("GET", "/v.1.0/clients/authorization?apiKey=" + wrong_key);
  EXPECT_EQ(key.status, 401);
  EXPECT_EQ(key.json().value("message", ""), "Unauthorized");

  auto forged = Dropin("POST", "/ecom/execute_request/hpp/v1/operations",
                       {{"x-device_id", forged_device}, {"x-refresh_token", forged_device}, {"x-api_version", "v1"}},
                       "{}");
  EXPECT_EQ(forged.status, 401);  // the bank's error-code page gives b_unknown_device 401
  EXPECT_EQ(forged.json().value("msgCode", ""), "b_unknown_device") << forged.body;
  auto jwt = Dropin("GET", "/v.1.0/divisions", {{"authorization", "eyJ.forged.jwt"}});
  EXPECT_EQ(jwt.status, 401);

  // Declared too large: refused before the body is read.
  std::string big = testing::RawExchange(
      dropin_port_, "POST /ecom/execute_request/hpp/v1/create-order HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                        std::to_string(9 * 1024 * 1024) + "\r\n\r\n");
  EXPECT_EQ(big.rfind("HTTP/1.1 413", 0), 0u) << big.substr(0, 300);
  EXPECT_NE(big.find("\"msgType\":\"ERROR\""), std::string::npos) << big.substr(0, 600);

  auto browser = Dropin("POST", "/api-gateway/authorize_virtual_device",
                        {{"origin", "https://evil.example"}, {"content-type", "application/json"}},
                        nlohmann::json{{"serviceCode", kServiceCode}}.dump());
  EXPECT_EQ(browser.status, 403);
  EXPECT_EQ(browser.json().value("msgType", ""), "ERROR");

  auto after = Stats();
  EXPECT_EQ(after["alliance"][kServiceCode], before["alliance"][kServiceCode]) << "nothing reached the bank";
  EXPECT_EQ(after["novapost"][kApiKey], before["novapost"][kApiKey]) << "nothing reached Nova Post";
}

TEST_F(DropinProcessTest, AnAccountPrefixAndAnAccountsOwnListener) {
  int own = testing::FreeLoopbackPort();
  StartWithDropin("dropin_listen = \"127.0.0.1:" + std::to_string(own) + "\"\n");
  auto headers = BankHeaders(Token("shop"));
  // A client that keeps its base URL's path, with a doubled slash.
  auto prefixed = Dropin("POST", "/shop//ecom/execute_request/merchant/ecom_balance/v1/get", headers, "{}");
  EXPECT_EQ(prefixed.status, 200) << prefixed.body;
  auto mine = testing::HttpCall(own, "POST", "/ecom/execute_request/merchant/ecom_balance/v1/get", headers, "{}");
  EXPECT_EQ(mine.status, 200) << mine.body;
  // The Nova Post token is not the shop's: its own listener refuses it.
  auto np = Token("delivery");
  auto other = testing::HttpCall(own, "GET", "/v.1.0/divisions",
                                 {{"authorization", np["headers"]["Authorization"].get<std::string>()}});
  EXPECT_EQ(other.status, 401) << other.body;
}

}  // namespace
}  // namespace tokenwarden::agent
