// Reads the fields of one TOML table for the config parser: ${ENV}
// interpolation in strings, typed getters whose errors name the place and
// the field, and a record of the keys read so that unknown ones (typos) are
// errors.
#ifndef TOKENWARDEN_AGENT_TOML_READER_H_
#define TOKENWARDEN_AGENT_TOML_READER_H_

#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "agent/config.h"
#include "tokenwarden/result.h"

namespace tokenwarden::agent {

class TableReader {
 public:
  // `where` prefixes every error ("tokenwarden.toml: account #2 (id 'shop')").
  TableReader(const toml::table& table, std::string where, const EnvLookup& env)
      : table_(table), where_(std::move(where)), env_(env) {}

  void set_where(std::string where) { where_ = std::move(where); }

  Error Bad(std::string_view field, std::string_view why) const;

  // Each getter answers nullopt when the key is absent.
  Result<std::optional<std::string>> String(std::string_view key);
  Result<std::string> RequiredString(std::string_view key);
  Result<std::optional<long long>> Integer(std::string_view key);
  Result<std::optional<bool>> Bool(std::string_view key);
  // A duration string ("12h", "250ms") within [min, max]; `hint` follows
  // the range in the error.
  Result<std::optional<tokenwarden::Duration>> Duration(std::string_view key, tokenwarden::Duration min,
                                                        tokenwarden::Duration max, std::string_view hint = "");
  // A string or an array of strings.
  Result<std::optional<std::vector<std::string>>> Strings(std::string_view key);

  // An error for the first key that no getter asked for.
  Status RejectUnknown() const;

 private:
  // ${NAME} is replaced by the variable; $${ writes a literal ${.
  Result<std::string> Interpolate(std::string_view key, std::string_view in) const;

  // The node under `key` (null if absent), noting the key as read.
  const toml::node* Take(std::string_view key) {
    seen_.push_back(key);
    return table_.get(key);
  }

  const toml::table& table_;
  std::string where_;
  const EnvLookup& env_;
  // The keys asked for: the callers' string literals, a handful per table.
  // (A set of strings here was a tenth of reading 100,000 [[account]] tables.)
  std::vector<std::string_view> seen_;
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_TOML_READER_H_
