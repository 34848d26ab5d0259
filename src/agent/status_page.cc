#include "agent/status_page.h"

#include "util/duration.h"
#include "util/time_format.h"

namespace tokenwarden::agent {
namespace {

constexpr std::string_view kStyle = R"css(
body{font:15px/1.4 system-ui,sans-serif;margin:2rem;color:#1d2433;background:#f7f8fa}
h1{font-size:1.4rem;margin:0 0 .2rem}.sub{color:#5b6475;margin-bottom:1.2rem}
table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 3px #0002}
th,td{text-align:left;padding:.55rem .7rem;border-bottom:1px solid #e4e7ec;vertical-align:top}
th{background:#eef1f5;font-weight:600}.k{color:#5b6475;font-size:.85em}
.state{display:inline-block;padding:.1rem .5rem;border-radius:1rem;font-weight:600;font-size:.85em}
.active{background:#d9f5e3;color:#126b35}.refreshing,.authorizing{background:#dfeafe;color:#1c4fa8}
.backoff{background:#fff1cc;color:#7a5300}.needs_support,.expired{background:#fde0e0;color:#a11d1d}
.unauthorized{background:#e9ebef;color:#444}.warn{color:#a11d1d;font-weight:600}
)css";

std::string When(const std::optional<TimePoint>& t, TimePoint now, bool with_kyiv) {
  if (!t) return "&mdash;";
  std::string out = HtmlEscape(FormatUtcIso(*t));
  if (with_kyiv) out += "<br><span class=k>Kyiv " + HtmlEscape(FormatKyivIso(*t)) + "</span>";
  auto delta = std::chrono::floor<std::chrono::seconds>(*t - now);
  out += "<br><span class=k>" +
         (delta.count() >= 0 ? "in " + FormatDuration(delta) : FormatDuration(-delta) + " ago") +
         "</span>";
  return out;
}

std::string Row(const AccountView& a, TimePoint now) {
  std::string state = a.state;
  if (state != "needs_support" && a.expires_at && !a.Serving(now)) state = "expired";
  std::string r = "<tr><td><b>" + HtmlEscape(a.id) + "</b><br><span class=k>" +
                  HtmlEscape(a.provider) + "</span></td>";
  r += "<td><span class=\"state " + HtmlEscape(state) + "\">" + HtmlEscape(state) +
       "</span><br><span class=k>generation " + std::to_string(a.generation) + "</span></td>";
  r += "<td>" + When(a.expires_at, now, true) + "</td>";
  r += "<td>" + When(a.refresh_at, now, false) + "</td>";
  std::string error = "&mdash;";
  if (!a.support_message.empty()) {
    error = "<span class=warn>" + HtmlEscape(a.support_message) + "</span>";
  } else if (!a.last_error_code.empty()) {
    error = "<b>" + HtmlEscape(a.last_error_code) + "</b> " + HtmlEscape(a.last_error_message);
    if (a.consecutive_failures > 0) {
      error += "<br><span class=k>" + std::to_string(a.consecutive_failures) +
               " failure(s) in a row; next try " + When(a.next_retry, now, false) + "</span>";
    }
  }
  r += "<td>" + error + "</td>";
  std::string use = "never used";
  if (auto days = a.DaysSinceLastUse(now)) {
    use = std::to_string(*days) + " day(s) ago";
    if (a.provider == "alliance") {
      int left = kInactivityLimitDays - *days;
      if (a.InactivityWarning(now)) {
        use = "<span class=warn>" + use + ": the bank closes access in " +
              std::to_string(left < 0 ? 0 : left) + " day(s) unless the account is used</span>";
      }
    }
  }
  if (a.dropin_authorizations > 0 || a.dropin_forwarded > 0) {
    use += "<br><span class=k>drop-in: " + std::to_string(a.dropin_authorizations) +
           " authorization(s) answered here (upstream authorizations saved), " +
           std::to_string(a.dropin_forwarded) + " call(s) forwarded</span>";
  }
  r += "<td>" + use + "</td></tr>\n";
  return r;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderStatusPage(const std::vector<AccountView>& accounts, TimePoint now) {
  std::string html =
      "<!doctype html><html lang=en><head><meta charset=utf-8>"
      "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
      "<title>tokenwarden status</title><style>" + std::string(kStyle) + "</style></head><body>";
  html += "<h1>tokenwarden</h1><div class=sub>" + std::to_string(accounts.size()) +
          " account(s) &middot; now " + HtmlEscape(FormatUtcIso(now)) + " (Kyiv " +
          HtmlEscape(FormatKyivIso(now)) + ")</div>";
  html += "<table><thead><tr><th>Account</th><th>State</th><th>Expires</th>"
          "<th>Next refresh</th><th>Last error</th><th>Last use</th></tr></thead><tbody>\n";
  for (const auto& a : accounts) html += Row(a, now);
  html += "</tbody></table></body></html>\n";
  return html;
}

}  // namespace tokenwarden::agent
