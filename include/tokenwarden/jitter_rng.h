// The random source for refresh and backoff jitter; never for secrets.
#ifndef TOKENWARDEN_JITTER_RNG_H_
#define TOKENWARDEN_JITTER_RNG_H_

#include <random>

namespace tokenwarden {

// A small engine (8 bytes of state, not mt19937_64's 2.5 KB): every
// account's manager keeps one, and 100,000 accounts add up.
using JitterRng = std::minstd_rand;

}  // namespace tokenwarden

#endif  // TOKENWARDEN_JITTER_RNG_H_
