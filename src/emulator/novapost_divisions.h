// Nova Post's division (branch) directory, GET /v.1.0/divisions, with the
// filters "Branch Directory" documents: countryCodes[], divisionCategories[]
// (PostBranch, CargoBranch, Postomat, PUDO), name (with * wildcards, matched
// against the division's and its settlement's names), limit and page.
#ifndef TOKENWARDEN_EMULATOR_NOVAPOST_DIVISIONS_H_
#define TOKENWARDEN_EMULATOR_NOVAPOST_DIVISIONS_H_

#include "http/message.h"

namespace tokenwarden::emulator {

// The matching divisions, each in the documented item shape; a bad limit or
// page is a 422 naming it. The token is checked by the caller.
http::Response Divisions(const http::Request& request);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_NOVAPOST_DIVISIONS_H_
