#include "emulator/novapost_divisions.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "emulator/novapost_query.h"

namespace tokenwarden::emulator {
namespace {

struct Place {
  int id;
  const char* name;
};

struct Division {
  int id;
  const char* name;
  const char* number;
  const char* country;
  const char* category;
  Place settlement, region, parent;
  const char* address;
  double latitude, longitude;
};

// The emulator's directory: the documentation's own example first, then a
// few more so that every filter has something to keep and something to drop.
const std::vector<Division>& Directory() {
  static const std::vector<Division> kDivisions = {
      {1, "WROCŁAW 1", "50/1", "PL", "PostBranch", {26061, "Wroclaw"}, {344, "Wrocław County"},
       {2, "Lower Silesian voivodeship"}, "50-231, Polska, Województwo dolnośląskie, Wrocław County, Wrocław, Trzebnicka, 50/1A",
       51.1271131131, 17.0360840848},
      {2, "WARSZAWA 1", "00/1", "PL", "Postomat", {26001, "Warszawa"}, {301, "Warszawa County"},
       {7, "Masovian voivodeship"}, "00-001, Polska, Warszawa, Marszałkowska, 1", 52.2297, 21.0122},
      {3, "Київ 1", "1", "UA", "PostBranch", {1, "Київ"}, {10, "Київ"}, {80, "Київська область"},
       "01001, Україна, Київ, Хрещатик, 1", 50.4501, 30.5234},
      {4, "Київ 2", "2", "UA", "CargoBranch", {1, "Київ"}, {10, "Київ"}, {80, "Київська область"},
       "02000, Україна, Київ, Березняківська, 29", 50.4225, 30.6003},
      {5, "Львів 1", "1", "UA", "PUDO", {2, "Львів"}, {20, "Львів"}, {46, "Львівська область"},
       "79000, Україна, Львів, Городоцька, 1", 49.8397, 24.0297},
      {6, "BUDAPEST 1", "1", "HU", "PostBranch", {3001, "Budapest"}, {401, "Budapest"}, {1, "Central Hungary"},
       "1051, Magyarország, Budapest, Október 6. utca, 1", 47.4979, 19.0402}};
  return kDivisions;
}

nlohmann::json Json(const Division& d) {
  nlohmann::json schedule = nlohmann::json::array();
  for (const char* day : {"monday", "tuesday", "wednesday", "thursday", "friday"}) {
    schedule.push_back({{"day", day}, {"from", "08:00"}, {"to", "20:00"}});
  }
  for (const char* day : {"saturday", "sunday"}) schedule.push_back({{"day", day}, {"from", "09:00"}, {"to", "18:00"}});
  return {{"id", d.id},
          {"name", d.name},
          {"shortName", d.name},
          {"number", d.number},
          {"countryCode", d.country},
          {"settlement",
           {{"id", d.settlement.id},
            {"name", d.settlement.name},
            {"region", {{"id", d.region.id}, {"name", d.region.name}, {"parent", {{"id", d.parent.id}, {"name", d.parent.name}}}}}}},
          {"address", d.address},
          {"status", "Working"},
          {"divisionCategory", d.category},
          {"latitude", d.latitude},
          {"longitude", d.longitude},
          {"workSchedule", schedule}};
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `pattern` with '*' for any run of characters, ASCII case ignored.
bool Glob(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool AnyOf(const std::vector<std::string>& wanted, const char* value) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), value) != wanted.end();
}

}  // namespace

http::Response Divisions(const http::Request& request) {
  long long limit = PositiveParam(request.query_param("limit"), 1000, 100);
  if (limit < 0) return NovaPostInvalid("limit", "must be a whole number from 1 to 1000");
  long long page = PositiveParam(request.query_param("page"), 1'000'000, 1);
  if (page < 0) return NovaPostInvalid("page", "must be a whole number from 1");
  auto countries = QueryValues(request.query(), "countryCodes[]");
  auto categories = QueryValues(request.query(), "divisionCategories[]");
  auto name_param = request.query_param("name");
  std::string name = Lower(name_param && !name_param->empty() ? *name_param : "*");
  std::vector<const Division*> found;
  for (const auto& d : Directory()) {
    bool named = Glob(name, Lower(d.name)) || Glob(name, Lower(d.settlement.name));
    if (named && AnyOf(countries, d.country) && AnyOf(categories, d.category)) found.push_back(&d);
  }
  return NovaPostPage(found, page, limit, Json);
}

}  // namespace tokenwarden::emulator
