// TokenManagerImpl's stored record: what it loads and adopts from the
// store, what it saves and how a failed save is retried, and giving the
// fleet's lease back. See token_manager_impl.h.
#include "session/token_manager_impl.h"

#include <algorithm>

#include "util/log.h"
#include "util/time_format.h"

namespace tokenwarden::session {
namespace {

// A failed store save is tried again after 1 s, then twice as long each
// time, at most every 5 minutes.
constexpr Duration kSaveRetryFirst = std::chrono::seconds(1);
constexpr Duration kSaveRetryLongest = std::chrono::minutes(5);

}  // namespace

void TokenManagerImpl::ReleaseLease() {
  tokenwarden::Status s = o_->store->ReleaseLease(account_, o_->holder_id);
  if (!s.ok()) log::Warn("lease_release_failed", {{"account", account_}, {"error", s.error().ToString()}});
}

std::optional<VersionedRecord> TokenManagerImpl::LoadRecord() {
  if (!o_->store) return std::nullopt;
  auto r = o_->store->Load(account_);
  if (!r.ok()) {
    log::Error("store_load_failed", {{"account", account_}, {"error", r.error().ToString()}});
    return std::nullopt;
  }
  // Nothing stored (a new account, or a Redis that came back empty): the
  // next save creates the record.
  if (!*r) version_ = 0;
  return std::move(*r);
}

// Takes what the store knows that we do not: a newer session (made by
// another process, or before a restart), needs_support, last use.
// Returns whether it took a valid session.
bool TokenManagerImpl::Adopt(std::optional<VersionedRecord> loaded, bool at_start) {
  if (!loaded) return false;
  version_ = loaded->version;
  AccountRecord& r = loaded->record;
  long long used = ToMillis(r.last_used);
  if (used > last_used_ms_.load(std::memory_order_relaxed)) last_used_ms_.store(used, std::memory_order_relaxed);
  for (TimePoint t : r.earlier_expiries) {
    if (std::find(earlier_expiries_.begin(), earlier_expiries_.end(), t) == earlier_expiries_.end()) {
      earlier_expiries_.push_back(t);
    }
  }
  if (r.needs_support && !operator_requested_ && !needs_support_) {
    needs_support_ = true;
    SetSupportMessage(r.support_message);
    DropSession();
    state_ = AccountState::kNeedsSupport;
    PublishStatus();
    NotifyWaiters();
    return false;
  }
  if (!r.session || r.session->account != account_) return false;
  store_generation_ = std::max(store_generation_, r.session->generation);
  if (r.session->generation <= generation()) return false;
  TimePoint now = o_->clock->Now();
  if (Valid(session_, now) && !current_rejected_) earlier_expiries_.push_back(session_->expires_at);
  session_ = std::make_shared<const Session>(std::move(*r.session));
  if (!Valid(session_, now)) return false;  // only its generation counts
  // Another process (or this one before a restart) authorized: access is
  // open and nothing is pending.
  cell_.Set(session_);
  current_rejected_ = reauth_requested_ = needs_support_ = failed_ = false;
  SetSupportMessage({});
  failures_ = 0;
  backoff_until_ = {};
  state_ = AccountState::kActive;
  if (!at_start) ++adopted_;
  // Restored at start: one line per account only at debug level (the
  // agent logs how many were restored); adopted later: always.
  log::Level level = at_start ? log::Level::kDebug : log::Level::kInfo;
  if (log::Enabled(level)) {
    log::Event(level, at_start ? "session_restored" : "session_adopted",
               {{"account", account_},
                {"generation", session_->generation},
                {"expires_at", FormatUtcIso(session_->expires_at)}});
  }
  PublishStatus();
  NotifyWaiters();
  return true;
}

void TokenManagerImpl::SaveRecord() {
  if (!o_->store) return;
  AccountRecord r;
  if (session_) r.session = *session_;
  r.last_used = FromMillis(last_used_ms_.load(std::memory_order_relaxed));
  r.needs_support = needs_support_;
  r.support_message = support_message();
  r.earlier_expiries = earlier_expiries_;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto saved = o_->store->Save(account_, r, version_);
    if (saved.ok()) {
      version_ = *saved;
      if (save_pending_) log::Info("store_save_recovered", {{"account", account_}});
      save_pending_ = false;
      save_delay_ = {};
      return;
    }
    if (saved.error().code != ErrorCode::kAborted) {
      SaveFailed(saved.error().ToString());
      return;
    }
    // Someone wrote since we read; we hold the newest session (or the lease
    // expired under us): write over their version once.
    auto again = o_->store->Load(account_);
    if (!again.ok()) break;
    version_ = *again ? (*again)->version : 0;
  }
  SaveFailed("lost the compare-and-swap twice");
}

// A record that could not be written (a full disk, Redis away) is written
// again at growing intervals until it is: meanwhile a restart would lose
// the session, and the other agents of a fleet do not see it.
void TokenManagerImpl::SaveFailed(const std::string& error) {
  save_pending_ = true;
  save_delay_ = std::clamp<Duration>(save_delay_ * 2, kSaveRetryFirst, kSaveRetryLongest);
  save_retry_at_ = o_->clock->Now() + save_delay_;
  log::Error("store_save_failed",
             {{"account", account_},
              {"error", error},
              {"retry_in_seconds", std::chrono::duration_cast<std::chrono::seconds>(save_delay_).count()}});
}

void TokenManagerImpl::RetrySaveIfDue(TimePoint now) {
  if (!save_pending_ || now < save_retry_at_) return;
  // What the store holds first: a newer session (another agent's) is
  // adopted, not overwritten by ours.
  uint64_t ours = generation();
  Adopt(LoadRecord(), false);
  if (generation() != ours) {
    save_pending_ = false;
    save_delay_ = {};
    return;
  }
  SaveRecord();
}

}  // namespace tokenwarden::session
