#include "agent/toml_reader.h"

#include <algorithm>

#include "util/duration.h"

namespace tokenwarden::agent {

Error TableReader::Bad(std::string_view field, std::string_view why) const {
  return MakeError(ErrorCode::kInvalidArgument,
                   where_ + ": field '" + std::string(field) + "': " + std::string(why));
}

Result<std::optional<tokenwarden::Duration>> TableReader::Duration(std::string_view key, tokenwarden::Duration min,
                                                                   tokenwarden::Duration max, std::string_view hint) {
  TW_ASSIGN_OR_RETURN(auto text, String(key));
  if (!text) return std::optional<tokenwarden::Duration>();
  auto d = ParseDuration(*text);
  if (!d.ok()) return Bad(key, d.error().message);
  if (*d < min || *d > max) {
    return Bad(key, "'" + *text + "' is outside " + FormatDuration(min) + ".." + FormatDuration(max) +
                        std::string(hint));
  }
  return std::optional<tokenwarden::Duration>(*d);
}

Result<std::optional<std::string>> TableReader::String(std::string_view key) {
  const toml::node* node = Take(key);
  if (node == nullptr) return std::optional<std::string>();
  const auto* s = node->as_string();
  if (s == nullptr) return Bad(key, "must be a string");
  TW_ASSIGN_OR_RETURN(std::string v, Interpolate(key, s->get()));
  return std::optional<std::string>(std::move(v));
}

Result<std::string> TableReader::RequiredString(std::string_view key) {
  TW_ASSIGN_OR_RETURN(auto v, String(key));
  if (!v || v->empty()) return Bad(key, "is required");
  return *v;
}

Result<std::optional<long long>> TableReader::Integer(std::string_view key) {
  const toml::node* node = Take(key);
  if (node == nullptr) return std::optional<long long>();
  const auto* i = node->as_integer();
  if (i == nullptr) return Bad(key, "must be an integer");
  return std::optional<long long>(i->get());
}

Result<std::optional<bool>> TableReader::Bool(std::string_view key) {
  const toml::node* node = Take(key);
  if (node == nullptr) return std::optional<bool>();
  const auto* b = node->as_boolean();
  if (b == nullptr) return Bad(key, "must be true or false");
  return std::optional<bool>(b->get());
}

Result<std::optional<std::vector<std::string>>> TableReader::Strings(std::string_view key) {
  const toml::node* node = Take(key);
  if (node == nullptr) return std::optional<std::vector<std::string>>();
  std::vector<std::string> out;
  if (const auto* s = node->as_string()) {
    TW_ASSIGN_OR_RETURN(std::string v, Interpolate(key, s->get()));
    out.push_back(std::move(v));
  } else if (const auto* arr = node->as_array()) {
    for (const auto& item : *arr) {
      const auto* is = item.as_string();
      if (is == nullptr) return Bad(key, "must be a list of strings");
      TW_ASSIGN_OR_RETURN(std::string v, Interpolate(key, is->get()));
      out.push_back(std::move(v));
    }
  } else {
    return Bad(key, "must be a string or a list of strings");
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Status TableReader::RejectUnknown() const {
  for (const auto& [key, node] : table_) {
    (void)node;
    if (std::find(seen_.begin(), seen_.end(), key.str()) == seen_.end()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       where_ + ": unknown field '" + std::string(key.str()) + "'");
    }
  }
  return OkStatus();
}

Result<std::string> TableReader::Interpolate(std::string_view key, std::string_view in) const {
  if (in.find('$') == std::string_view::npos) return std::string(in);
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in.substr(i, 3) == "$${") {
      out += "${";
      i += 2;
    } else if (in.substr(i, 2) == "${") {
      size_t end = in.find('}', i);
      if (end == std::string_view::npos) return Bad(key, "unclosed ${ in value");
      std::string name(in.substr(i + 2, end - i - 2));
      if (name.empty()) return Bad(key, "empty ${} in value");
      auto value = env_(name);
      if (!value) return Bad(key, "environment variable " + name + " is not set");
      out += *value;
      i = end;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace tokenwarden::agent
