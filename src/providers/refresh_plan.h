// Random spreads for refresh plans, so that many accounts (or hosts) do not
// authorize in the same second.
#ifndef TOKENWARDEN_PROVIDERS_REFRESH_PLAN_H_
#define TOKENWARDEN_PROVIDERS_REFRESH_PLAN_H_

#include <random>

#include "tokenwarden/jitter_rng.h"

#include "tokenwarden/clock.h"

namespace tokenwarden::providers {

// Uniform in [base * (1 - fraction), base * (1 + fraction)].
// REQUIRES: 0 <= fraction < 1.
Duration JitterAround(Duration base, double fraction, JitterRng& rng);

// Uniform in [0, max]. REQUIRES: max >= 0.
Duration JitterUpTo(Duration max, JitterRng& rng);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_REFRESH_PLAN_H_
