#include "providers/refresh_plan.h"

namespace tokenwarden::providers {

Duration JitterAround(Duration base, double fraction, JitterRng& rng) {
  auto spread =
      static_cast<Duration::rep>(static_cast<double>(base.count()) * fraction);
  std::uniform_int_distribution<Duration::rep> pick(-spread, spread);
  return base + Duration(pick(rng));
}

Duration JitterUpTo(Duration max, JitterRng& rng) {
  std::uniform_int_distribution<Duration::rep> pick(0, max.count());
  return Duration(pick(rng));
}

}  // namespace tokenwarden::providers
