// The agent's status page (GET /): server-rendered HTML with no external
// assets, readable at a glance. Every value is HTML-escaped.
#ifndef TOKENWARDEN_AGENT_STATUS_PAGE_H_
#define TOKENWARDEN_AGENT_STATUS_PAGE_H_

#include <string>
#include <vector>

#include "agent/account_view.h"

namespace tokenwarden::agent {

std::string RenderStatusPage(const std::vector<AccountView>& accounts, TimePoint now);

std::string HtmlEscape(std::string_view text);

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_STATUS_PAGE_H_
