// A minimal JSON Schema (draft 2020-12) evaluator for the keywords our own schemas use
// (suites/schema/suite.schema.json, docs/schema/*.schema.json): type (one or a list), const,
// enum, pattern, minLength, minimum/maximum, required, properties, additionalProperties (false
// or a schema), min/maxProperties, items, min/maxItems, uniqueItems, oneOf/anyOf/allOf/not and
// $ref into #/$defs, of this schema or of a sibling file ("message.schema.json#/$defs/x", the
// siblings given by file name). Any other keyword is ignored, so a schema using one is not checked
// by it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace rsconform::test_support {

class MiniSchema {
 public:
  explicit MiniSchema(nlohmann::json root, std::map<std::string, nlohmann::json> siblings = {})
      : root_(std::move(root)), siblings_(std::move(siblings)) {}
  // "/json/pointer: what is wrong" per violation; empty when `doc` is valid.
  std::vector<std::string> validate(const nlohmann::json& doc) const {
    std::vector<std::string> errors;
    check(root_, root_, doc, "", errors);
    return errors;
  }

 private:
  static bool has_type(const std::string& t, const nlohmann::json& v) {
    return (t == "object" && v.is_object()) || (t == "array" && v.is_array()) ||
           (t == "string" && v.is_string()) || (t == "boolean" && v.is_boolean()) ||
           (t == "null" && v.is_null()) || (t == "integer" && v.is_number_integer()) ||
           (t == "number" && v.is_number());
  }

  // `doc` is the schema file `s` belongs to, for its "#/$defs/..." references.
  void check(const nlohmann::json& doc, const nlohmann::json& s, const nlohmann::json& v,
             const std::string& at, std::vector<std::string>& errors) const {
    using nlohmann::json;
    auto fail = [&](const std::string& why) { errors.push_back(at + ": " + why); };
    if (s.contains("$ref")) {
      const std::string ref = s["$ref"];
      const std::size_t hash = ref.find('#');
      const json& target = hash == 0 ? doc : siblings_.at(ref.substr(0, hash));
      check(target, target["$defs"][ref.substr(hash + std::string("#/$defs/").size())], v, at,
            errors);
    }
    if (s.contains("type")) {
      const json types = s["type"].is_array() ? s["type"] : json::array({s["type"]});
      bool ok = false;
      for (const auto& t : types)
        ok |= has_type(t.get<std::string>(), v);
      if (!ok) return fail("expected " + s["type"].dump());
    }
    if (s.contains("const") && s["const"] != v) fail("not " + s["const"].dump());
    if (s.contains("enum")) {
      bool found = false;
      for (const auto& e : s["enum"])
        found |= e == v;
      if (!found) fail("not in enum");
    }
    if (s.contains("pattern") && v.is_string() &&
        !std::regex_search(v.get<std::string>(), std::regex(s["pattern"].get<std::string>())))
      fail("pattern");
    if (s.contains("minLength") && v.is_string() && v.get<std::string>().size() < s["minLength"])
      fail("minLength");
    if (v.is_number_integer()) {
      if (s.contains("minimum") && v.get<std::int64_t>() < s["minimum"].get<std::int64_t>())
        fail("minimum");
      if (s.contains("maximum") && v.get<std::int64_t>() > s["maximum"].get<std::int64_t>())
        fail("maximum");
    } else if (v.is_number()) {
      if (s.contains("minimum") && v.get<double>() < s["minimum"].get<double>()) fail("minimum");
      if (s.contains("maximum") && v.get<double>() > s["maximum"].get<double>()) fail("maximum");
    }
    if (v.is_object()) {
      for (const auto& r : s.value("required", json::array()))
        if (!v.contains(r.get<std::string>())) fail("missing " + r.get<std::string>());
      if (s.contains("minProperties") && v.size() < s["minProperties"]) fail("minProperties");
      if (s.contains("maxProperties") && v.size() > s["maxProperties"]) fail("maxProperties");
      const json additional = s.value("additionalProperties", json(true));
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (s.contains("properties") && s["properties"].contains(it.key()))
          check(doc, s["properties"][it.key()], it.value(), at + "/" + it.key(), errors);
        else if (additional == false)
          fail("unknown key " + it.key());
        else if (additional.is_object())
          check(doc, additional, it.value(), at + "/" + it.key(), errors);
      }
    }
    if (v.is_array()) {
      if (s.contains("minItems") && v.size() < s["minItems"]) fail("minItems");
      if (s.contains("maxItems") && v.size() > s["maxItems"]) fail("maxItems");
      if (s.value("uniqueItems", false))
        for (std::size_t i = 0; i < v.size(); ++i)
          for (std::size_t j = i + 1; j < v.size(); ++j)
            if (v[i] == v[j]) fail("uniqueItems");
      if (s.contains("items"))
        for (std::size_t i = 0; i < v.size(); ++i)
          check(doc, s["items"], v[i], at + "/" + std::to_string(i), errors);
    }
    auto passes = [&](const json& sub) {
      std::vector<std::string> e;
      check(doc, sub, v, at, e);
      return e.empty();
    };
    if (s.contains("oneOf")) {
      int n = 0;
      for (const auto& sub : s["oneOf"])
        n += passes(sub) ? 1 : 0;
      if (n != 1) fail("oneOf matched " + std::to_string(n));
    }
    if (s.contains("anyOf")) {
      bool any = false;
      for (const auto& sub : s["anyOf"])
        any |= passes(sub);
      if (!any) fail("anyOf");
    }
    if (s.contains("allOf"))
      for (const auto& sub : s["allOf"])
        check(doc, sub, v, at, errors);
    if (s.contains("not") && passes(s["not"])) fail("not");
  }

  nlohmann::json root_;
  std::map<std::string, nlohmann::json> siblings_;
};

}  // namespace rsconform::test_support
