#include "agent/account_view.h"

namespace tokenwarden::agent {

std::optional<int> AccountView::DaysSinceLastUse(TimePoint now) const {
  if (!last_used) return std::nullopt;
  auto days = std::chrono::floor<std::chrono::days>(now - *last_used).count();
  return static_cast<int>(days < 0 ? 0 : days);
}

bool AccountView::InactivityWarning(TimePoint now) const {
  auto days = DaysSinceLastUse(now);
  return provider == "alliance" && days && *days >= kInactivityWarnDays;
}

}  // namespace tokenwarden::agent
