// REFUND of the fake Alliance Bank (POST /ecom/execute_request/payments/v3/refund).
//
// As "REFUND" documents, the request's fields travel encrypted to the
// session's serverPublic: the body is {"jwe": "<compact JWE>"} (the bare
// compact JWE is read too); the answer is {"jwe": ...} encrypted to the
// merchant's registered key, its payload the refund operation. A refund may
// be partial; together they never exceed what was paid.
#ifndef TOKENWARDEN_EMULATOR_REFUND_H_
#define TOKENWARDEN_EMULATOR_REFUND_H_

#include "emulator/state.h"
#include "http/message.h"

namespace tokenwarden::emulator {

// REQUIRES: state.mu held; the session checked and live.
http::Response Refund(State& state, AllianceSession& session, const http::Request& request);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_REFUND_H_
