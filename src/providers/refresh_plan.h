// Where a refresh lands in its window, so that many accounts spread evenly
// over their refresh period instead of keeping the bunch they started in.
#ifndef TOKENWARDEN_PROVIDERS_REFRESH_PLAN_H_
#define TOKENWARDEN_PROVIDERS_REFRESH_PLAN_H_

#include <string_view>

#include "tokenwarden/clock.h"

namespace tokenwarden::providers {

// A provider's policy names `latest`, the last moment its rules allow the
// refresh; the period P = latest - issued_at is the cadence if every refresh
// came at `latest`. Then accounts authorized together (at start, after an
// outage) would stay together, round after round: a burst every period.
//
// Instead each account owns a phase on an absolute grid of period P, taken
// from a hash of its id, so the same account plans the same moment on every
// host of a fleet. The plan is the last grid point at or before `latest`
// when it is at most P/3 earlier. Otherwise the plan comes a third of that
// distance early, so the account's distance to its grid shrinks by a third
// each round (on the grid by the fourth round) while accounts authorized in
// the same second already part in the first. Never sooner than 2P/3 after
// issue. A grid point just past `latest` (within P/64: a late clock, a
// slow authorization) plans `latest` itself.
//
// Returns `latest` when latest <= issued_at.
TimePoint SpreadRefresh(std::string_view account, TimePoint issued_at,
                        TimePoint latest);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_REFRESH_PLAN_H_
