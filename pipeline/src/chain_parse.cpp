#include "zoomflow/pipeline/chain_parse.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "zoomflow/pipeline/builtin_steps.hpp"
#include "zoomflow/storage/json_nesting.hpp"

namespace zoomflow {
namespace {

// A step's parameters: name -> list of numbers or words, as written.
using Parameters = std::map<std::string, std::vector<std::string>>;

Error bad_step(std::string_view step, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument, "step '" + std::string(step) + "': " + what);
}

Result<double> to_number(std::string_view step, const std::string& key, const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    return bad_step(step, key + "=" + text + " is not a number");
  return value;
}

Result<std::vector<double>> numbers(std::string_view step, const Parameters& p,
                                    const std::string& key) {
  const auto it = p.find(key);
  if (it == p.end()) return bad_step(step, "missing " + key + "=");
  std::vector<double> values;
  for (const std::string& text : it->second) {
    ZF_ASSIGN_OR_RETURN(double v, to_number(step, key, text));
    values.push_back(v);
  }
  return values;
}

Result<double> one_number(std::string_view step, const Parameters& p, const std::string& key) {
  ZF_ASSIGN_OR_RETURN(std::vector<double> values, numbers(step, p, key));
  if (values.size() != 1) return bad_step(step, key + " takes one number");
  return values[0];
}

Status only_keys(std::string_view step, const Parameters& p,
                 std::initializer_list<const char*> allowed) {
  for (const auto& [key, values] : p) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) return bad_step(step, "unknown parameter '" + key + "'");
  }
  return ok_status();
}

// key=1|0|true|false.
Result<bool> flag(std::string_view step, const Parameters& p, const std::string& key) {
  const auto& values = p.at(key);
  const std::string value = values.size() == 1 ? values[0] : "";
  if (value != "0" && value != "1" && value != "true" && value != "false")
    return bad_step(step, key + " must be 1 or 0 (true or false)");
  return value == "1" || value == "true";
}

// Integer factors >= 1: one, or one per axis.
Result<std::vector<Index>> factors(std::string_view step, const Parameters& p) {
  ZF_ASSIGN_OR_RETURN(std::vector<double> values, numbers(step, p, "factors"));
  std::vector<Index> result;
  for (double f : values) {
    if (!(f >= 1 && f < 2147483648.0) || f != std::floor(f))
      return bad_step(step, "factors must be integers from 1 (one, or one per axis)");
    result.push_back(Index(f));
  }
  return result;
}

// Builds a step from its name and parameters (shared by the text and JSON forms).
Result<ChainStepPtr> make_step(std::string_view step, const std::string& name,
                               const Parameters& p) {
  if (name == "resample") {
    ZF_RETURN_IF_ERROR(only_keys(
        step, p, {"zoom", "shape", "order", "grid", "mode", "cval", "prefilter", "antialias"}));
    ResampleStepSpec spec;
    if (p.count("zoom") == p.count("shape")) return bad_step(step, "give zoom= or shape=");
    if (p.count("zoom")) {
      ZF_ASSIGN_OR_RETURN(spec.zoom, numbers(step, p, "zoom"));
      for (double z : spec.zoom)
        if (!(z > 0)) return bad_step(step, "zoom must be positive");
    } else {
      ZF_ASSIGN_OR_RETURN(std::vector<double> shape, numbers(step, p, "shape"));
      for (double e : shape) {
        if (!(e >= 1) || e != double(Index(e)))
          return bad_step(step, "shape must list positive integers");
        spec.shape.push_back(Index(e));
      }
    }
    if (p.count("order")) {
      ZF_ASSIGN_OR_RETURN(double order, one_number(step, p, "order"));
      if (!(order >= 0 && order <= 5) || order != double(int(order)))
        return bad_step(step, "order must be 0, 1, 2, 3, 4 or 5");
      spec.interpolation = Interpolation(int(order));
    }
    if (p.count("grid")) {
      const auto& grid = p.at("grid");
      if (grid.size() != 1 || (grid[0] != "centers" && grid[0] != "corners"))
        return bad_step(step, "grid must be centers or corners");
      spec.grid = grid[0] == "corners" ? Grid::kCorners : Grid::kCenters;
    }
    if (p.count("mode")) {
      const auto& mode = p.at("mode");
      const auto parsed = mode.size() == 1 ? parse_boundary_mode(mode[0]) : std::nullopt;
      if (!parsed) return bad_step(step, "mode must be one of " + boundary_mode_names());
      spec.mode = *parsed;
    }
    if (p.count("cval")) {
      ZF_ASSIGN_OR_RETURN(spec.cval, one_number(step, p, "cval"));
    }
    if (p.count("prefilter")) {
      ZF_ASSIGN_OR_RETURN(spec.prefilter, flag(step, p, "prefilter"));
    }
    if (p.count("antialias")) {
      ZF_ASSIGN_OR_RETURN(spec.antialias, flag(step, p, "antialias"));
    }
    return resample_step(spec);
  }
  if (name == "downsample") {
    ZF_RETURN_IF_ERROR(only_keys(step, p, {"factors", "method"}));
    ZF_ASSIGN_OR_RETURN(std::vector<Index> f, factors(step, p));
    const auto it = p.find("method");
    const auto method =
        it != p.end() && it->second.size() == 1 ? parse_reduce_method(it->second[0]) : std::nullopt;
    if (!method) return bad_step(step, "give method=mean, mode, median, min, max or stride");
    return downsample_step(std::move(f), *method);
  }
  if (name == "clip") {
    ZF_RETURN_IF_ERROR(only_keys(step, p, {"lo", "hi"}));
    ZF_ASSIGN_OR_RETURN(double lo, one_number(step, p, "lo"));
    ZF_ASSIGN_OR_RETURN(double hi, one_number(step, p, "hi"));
    if (!(lo <= hi)) return bad_step(step, "lo must not exceed hi");
    return clip_step(lo, hi);
  }
  if (name == "scale") {
    ZF_RETURN_IF_ERROR(only_keys(step, p, {"mul", "add"}));
    ZF_ASSIGN_OR_RETURN(double mul,
                        p.count("mul") ? one_number(step, p, "mul") : Result<double>(1.0));
    ZF_ASSIGN_OR_RETURN(double add,
                        p.count("add") ? one_number(step, p, "add") : Result<double>(0.0));
    if (!p.count("mul") && !p.count("add")) return bad_step(step, "give mul= and/or add=");
    return scale_step(mul, add);
  }
  if (name == "cast") {
    const auto it = p.find("dtype");
    if (it == p.end() || it->second.size() != 1) return bad_step(step, "give a dtype: cast:uint8");
    const auto dtype = parse_dtype(it->second[0]);
    if (!dtype)
      return bad_step(step, "cannot cast to '" + it->second[0] +
                                "' (bool, int8..int64, uint8..uint64, float32, float64)");
    return cast_step(*dtype);
  }
  if (name == "threshold") {
    static const std::map<std::string, Comparison> kOps = {
        {"gt", Comparison::kGreater}, {"ge", Comparison::kGreaterEqual},
        {"lt", Comparison::kLess},    {"le", Comparison::kLessEqual},
        {"eq", Comparison::kEqual},   {"ne", Comparison::kNotEqual}};
    if (p.size() != 1 || !kOps.count(p.begin()->first))
      return bad_step(step, "give one of gt=, ge=, lt=, le=, eq=, ne=");
    ZF_ASSIGN_OR_RETURN(double value, one_number(step, p, p.begin()->first));
    return threshold_step(kOps.at(p.begin()->first), value);
  }
  if (name == "gaussian") {
    ZF_RETURN_IF_ERROR(only_keys(step, p, {"sigma"}));
    ZF_ASSIGN_OR_RETURN(std::vector<double> sigma, numbers(step, p, "sigma"));
    for (double s : sigma)
      if (!(s >= 0)) return bad_step(step, "sigma must be >= 0");
    return gaussian_step(sigma);
  }
  return bad_step(step, "unknown step '" + name +
                            "' (resample, downsample, clip, scale, cast, threshold, gaussian)");
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = text.find(separator, start);
    parts.emplace_back(text.substr(start, at == std::string_view::npos ? text.npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

// "name:key=v1,v2,key2=v" — a comma starts a new key only where key= follows.
Result<ChainStepPtr> parse_step(std::string_view text) {
  const std::size_t colon = text.find(':');
  const std::string name(text.substr(0, colon));
  Parameters parameters;
  if (colon != std::string_view::npos) {
    std::string key;
    for (const std::string& item : split(text.substr(colon + 1), ',')) {
      const std::size_t eq = item.find('=');
      if (eq != std::string::npos) {
        key = item.substr(0, eq);
        if (parameters.count(key)) return bad_step(text, "parameter '" + key + "' given twice");
        parameters[key].push_back(item.substr(eq + 1));
      } else if (!key.empty()) {
        parameters[key].push_back(item);
      } else if (name == "cast" && parameters.empty()) {
        parameters["dtype"].push_back(item);  // cast:uint8
      } else {
        return bad_step(text, "expected key=value, got '" + item + "'");
      }
    }
  }
  return make_step(text, name, parameters);
}

Result<std::vector<ChainStepPtr>> parse_steps_json(std::string_view json_text) {
  constexpr std::size_t kDeepest = 16;  // a chain is an array of objects holding arrays
  if (storage::json_nesting_depth(json_text) > kDeepest)
    return make_error(ErrorCode::kInvalidArgument,
                      "the steps file nests arrays or objects more than 16 deep; a chain is an "
                      "array of steps like [{\"step\": \"gaussian\", \"sigma\": 1}]");
  const auto json = nlohmann::json::parse(json_text, nullptr, false);
  if (json.is_discarded() || !json.is_array())
    return make_error(ErrorCode::kInvalidArgument,
                      "the steps file is not a JSON array of steps like "
                      "[{\"step\": \"gaussian\", \"sigma\": 1}]");
  std::vector<ChainStepPtr> steps;
  for (const auto& item : json) {
    const std::string shown = item.dump();
    if (!item.is_object() || !item.contains("step") || !item["step"].is_string())
      return bad_step(shown, "each step is an object with a \"step\" name");
    Parameters parameters;
    for (const auto& [key, value] : item.items()) {
      if (key == "step") continue;
      auto& list = parameters[key];
      for (const auto& v : value.is_array() ? value : nlohmann::json::array({value}))
        list.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    }
    ZF_ASSIGN_OR_RETURN(ChainStepPtr step,
                        make_step(shown, item["step"].get<std::string>(), parameters));
    steps.push_back(std::move(step));
  }
  if (steps.empty()) return make_error(ErrorCode::kInvalidArgument, "the steps file holds no step");
  return steps;
}

}  // namespace zoomflow
