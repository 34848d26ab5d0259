// An HPP order of the fake Alliance Bank and the operations on it (the
// payer's purchase, the merchant's refunds), and their JSON as the bank's
// "Receiving order data" page documents it.
#ifndef TOKENWARDEN_EMULATOR_ORDER_H_
#define TOKENWARDEN_EMULATOR_ORDER_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tokenwarden/clock.h"

namespace tokenwarden::emulator {

// Operation statuses as documented: SUCCESS, FAIL, PENDING (REQUIRED_3DS and
// DESIRED_THREEDS_MODE_ERROR never arise here: the emulator has no 3-D Secure).
struct Operation {
  std::string type;                // "PURCHASE" or "REFUND"
  std::string status;              // "SUCCESS", "FAIL", "PENDING"
  int64_t coin_amount = 0;
  std::string operation_id;        // "1712844596346b9F-WwrWZpq": ms timestamp + 11 characters
  std::string ecom_operation_id;   // UUID
  std::string merchant_request_id;
  std::string rrn;                 // 10 digits, as in the example
  std::string approval_code;       // 5 digits, as in the example
  std::string comment;             // the refund's merchantComment
  TimePoint created{};
};

// Order statuses: PENDING and SUCCESS appear in the bank's examples; FAIL is
// the documented operation status; EXPIRED is the emulator's own (no page
// found names the status of an order that was never paid).
struct Order {
  std::string service_code;          // the merchant it belongs to
  std::string hpp_order_id;          // "1729673735773zTmfRBLPRgE"
  std::string ecom_order_id;         // UUID
  std::string merchant_id;
  std::string merchant_request_id;
  std::string hpp_pay_type;          // PURCHASE or A2A
  std::vector<std::string> payment_methods;
  std::string notification_url;      // may be empty (optional field)
  bool notification_encryption = false;
  std::string success_url, fail_url, status_page_type;
  std::string language, purpose, merchant_comment;
  int64_t coin_amount = 0;
  std::string status = "PENDING";
  TimePoint created{}, expires{};
  std::vector<Operation> operations;

  // The amount paid (a successful purchase) less the successful refunds.
  int64_t Refundable() const;
  // The successful purchase, or nullptr.
  const Operation* Purchase() const;
};

// A bank-shaped id: 13 digits of Unix milliseconds, then 11 random
// characters of the URL-safe alphabet.
std::string NewBankId(TimePoint now);
// Random decimal digits.
std::string RandomDigits(size_t n);

// The order as "Receiving order data" answers it (also the create-order
// answer and the callback body). Optional fields the merchant left out are
// omitted, never sent as "".
nlohmann::json OrderJson(const Order& order, const std::string& merchant_name);
// One element of "operations" (fields as the callback and refund pages list them).
nlohmann::json OperationJson(const Order& order, const Operation& op, const std::string& merchant_name);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_ORDER_H_
