#include "hdf5_attributes.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "../json_attributes.hpp"
#include "hdf5_types.hpp"

namespace zoomflow::storage {
namespace {

constexpr std::size_t kPrintedValues = 16;

herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* client) {
  static_cast<std::vector<std::string>*>(client)->push_back(name);
  return 0;
}

std::vector<std::string> attribute_names(hid_t object) {
  std::vector<std::string> names;
  hsize_t index = 0;
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, collect_name, &names);
  return names;
}

std::size_t point_count(hid_t space) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  return n > 0 ? std::size_t(n) : 0;
}

std::string number_text(double v) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return ec == std::errc() ? std::string(buffer, end) : "?";
}

template <class T>
std::string list_text(const std::vector<T>& values, bool is_array) {
  std::string text = is_array ? "[" : "";
  for (std::size_t i = 0; i < values.size() && i < kPrintedValues; ++i) {
    if (i > 0) text += ", ";
    if constexpr (std::is_same_v<T, double>)
      text += number_text(values[i]);
    else if constexpr (std::is_same_v<T, std::string>)
      text += "\"" + values[i] + "\"";
    else
      text += std::to_string(values[i]);
  }
  if (values.size() > kPrintedValues)
    text += ", ... (" + std::to_string(values.size()) + " values)";
  return is_array ? text + "]" : text;
}

template <class T>
std::string numbers_text(hid_t attribute, hid_t memory_type, std::size_t n, bool is_array) {
  std::vector<T> values(n);
  if (n > 0 && H5Aread(attribute, memory_type, values.data()) < 0) return "<unreadable>";
  return list_text(values, is_array);
}

std::string strings_text(hid_t attribute, hid_t type, hid_t space, std::size_t n, bool is_array) {
  std::vector<std::string> values;
  if (H5Tis_variable_str(type) > 0) {
    TypeHandle memory(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(type));
    std::vector<char*> pointers(n, nullptr);
    if (n > 0 && H5Aread(attribute, memory.get(), pointers.data()) < 0) return "<unreadable>";
    for (char* p : pointers) values.emplace_back(p ? p : "");
    H5Dvlen_reclaim(memory.get(), space, H5P_DEFAULT, pointers.data());
  } else {
    const std::size_t size = H5Tget_size(type);
    TypeHandle memory(H5Tcopy(type));
    std::vector<char> bytes(size * n);
    if (n > 0 && H5Aread(attribute, memory.get(), bytes.data()) < 0) return "<unreadable>";
    for (std::size_t i = 0; i < n; ++i) {
      const char* s = bytes.data() + i * size;
      values.emplace_back(s, std::find(s, s + size, '\0'));
    }
  }
  return list_text(values, is_array);
}

// Member names (h5py's bool: FALSE / TRUE).
std::string enum_text(hid_t attribute, hid_t type, std::size_t n, bool is_array) {
  const TypeHandle memory(H5Tget_native_type(type, H5T_DIR_ASCEND));
  const std::size_t size = H5Tget_size(memory.get());
  std::vector<std::byte> values(size * n);
  if (n > 0 && H5Aread(attribute, memory.get(), values.data()) < 0) return "<unreadable>";
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) {
    std::array<char, 128> name{};
    const bool known =
        H5Tenum_nameof(memory.get(), values.data() + i * size, name.data(), name.size()) >= 0;
    names.push_back(known ? name.data() : "?");
  }
  std::string text = list_text(names, is_array);
  // list_text quotes strings; enum members are names, not strings.
  text.erase(std::remove(text.begin(), text.end(), '"'), text.end());
  return text;
}

using nlohmann::json;

template <class T>
json numbers_json(hid_t attribute, hid_t memory_type, std::size_t n, bool is_array) {
  std::vector<T> values(n);
  if (n > 0 && H5Aread(attribute, memory_type, values.data()) < 0) return json();
  if (!is_array && n == 1) return json(values[0]);
  return json(values);
}

json strings_json(hid_t attribute, hid_t type, hid_t space, std::size_t n, bool is_array) {
  std::vector<std::string> values;
  if (H5Tis_variable_str(type) > 0) {
    TypeHandle memory(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(type));
    std::vector<char*> pointers(n, nullptr);
    if (n > 0 && H5Aread(attribute, memory.get(), pointers.data()) < 0) return json();
    for (char* p : pointers) values.emplace_back(p ? p : "");
    H5Dvlen_reclaim(memory.get(), space, H5P_DEFAULT, pointers.data());
  } else {
    const std::size_t size = H5Tget_size(type);
    TypeHandle memory(H5Tcopy(type));
    std::vector<char> bytes(size * n);
    if (n > 0 && H5Aread(attribute, memory.get(), bytes.data()) < 0) return json();
    for (std::size_t i = 0; i < n; ++i) {
      const char* s = bytes.data() + i * size;
      values.emplace_back(s, std::find(s, s + size, '\0'));
    }
  }
  if (!is_array && n == 1) return json(values[0]);
  return json(values);
}

// h5py's bool enum as JSON booleans; other enums as their integer values.
json enum_json(hid_t attribute, hid_t type, std::size_t n, bool is_array) {
  const TypeHandle memory(H5Tget_native_type(type, H5T_DIR_ASCEND));
  const TypeHandle base(H5Tget_super(memory.get()));
  const bool is_bool = H5Tget_nmembers(memory.get()) == 2 && H5Tget_size(memory.get()) == 1;
  std::vector<long long> values(n);
  if (n > 0 && H5Aread(attribute, H5T_NATIVE_LLONG, values.data()) < 0) return json();
  json list = json::array();
  for (long long v : values) list.push_back(is_bool ? json(v != 0) : json(v));
  if (!is_array && n == 1) return list[0];
  return list;
}

// The attribute's value as JSON; null when it has no JSON form.
json attribute_json(hid_t attribute) {
  const TypeHandle type(H5Aget_type(attribute));
  const SpaceHandle space(H5Aget_space(attribute));
  const std::size_t n = point_count(space.get());
  const bool is_array = H5Sget_simple_extent_ndims(space.get()) > 0;
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER:
      if (H5Tget_sign(type.get()) == H5T_SGN_NONE)
        return numbers_json<unsigned long long>(attribute, H5T_NATIVE_ULLONG, n, is_array);
      return numbers_json<long long>(attribute, H5T_NATIVE_LLONG, n, is_array);
    case H5T_FLOAT:
      return numbers_json<double>(attribute, H5T_NATIVE_DOUBLE, n, is_array);
    case H5T_STRING:
      return strings_json(attribute, type.get(), space.get(), n, is_array);
    case H5T_ENUM:
      return enum_json(attribute, type.get(), n, is_array);
    default:
      return json();
  }
}

std::string attribute_text(const Hdf5Lock& lock, hid_t attribute) {
  const TypeHandle type(H5Aget_type(attribute));
  const SpaceHandle space(H5Aget_space(attribute));
  const std::size_t n = point_count(space.get());
  const bool is_array = H5Sget_simple_extent_ndims(space.get()) > 0;
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER:
      if (H5Tget_sign(type.get()) == H5T_SGN_NONE)
        return numbers_text<unsigned long long>(attribute, H5T_NATIVE_ULLONG, n, is_array);
      return numbers_text<long long>(attribute, H5T_NATIVE_LLONG, n, is_array);
    case H5T_FLOAT:
      return numbers_text<double>(attribute, H5T_NATIVE_DOUBLE, n, is_array);
    case H5T_STRING:
      return strings_text(attribute, type.get(), space.get(), n, is_array);
    case H5T_ENUM:
      return enum_text(attribute, type.get(), n, is_array);
    default:
      break;
  }
  std::string text = type_class_name(lock, type.get());
  return "<" + text + ">";
}

Status write_doubles(const Hdf5Lock& lock, hid_t to, const std::string& name,
                     const std::vector<double>& values, bool as_array) {
  const hsize_t dims[1] = {values.size()};
  SpaceHandle space(as_array ? H5Screate_simple(1, dims, nullptr) : H5Screate(H5S_SCALAR));
  AttributeHandle attribute(
      H5Acreate2(to, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attribute || H5Awrite(attribute.get(), H5T_NATIVE_DOUBLE, values.data()) < 0)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot write attribute " + name);
  return ok_status();
}

// Returns true when the attribute was a voxel size and has been written scaled.
Result<bool> copy_scaled_voxel_size(const Hdf5Lock& lock, hid_t attribute, hid_t to,
                                    const std::string& name, const std::vector<double>& scale) {
  const TypeHandle type(H5Aget_type(attribute));
  const H5T_class_t cls = H5Tget_class(type.get());
  if (scale.empty() || !is_voxel_size_name(name) || (cls != H5T_INTEGER && cls != H5T_FLOAT))
    return false;
  const SpaceHandle space(H5Aget_space(attribute));
  const std::size_t n = point_count(space.get());
  if (n != 1 && n != scale.size()) return false;
  std::vector<double> values(n);
  if (H5Aread(attribute, H5T_NATIVE_DOUBLE, values.data()) < 0)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot read attribute " + name);
  const bool isotropic =
      std::all_of(scale.begin(), scale.end(), [&](double s) { return s == scale.front(); });
  if (n == 1 && !isotropic) values.assign(scale.size(), values[0]);  // one value per axis now
  for (std::size_t a = 0; a < values.size(); ++a) values[a] *= scale[n == 1 && isotropic ? 0 : a];
  const bool as_array = values.size() > 1 || H5Sget_simple_extent_ndims(space.get()) > 0;
  ZF_RETURN_IF_ERROR(write_doubles(lock, to, name, values, as_array));
  return true;
}

Status copy_attribute(const Hdf5Lock& lock, hid_t from, hid_t to, const std::string& name,
                      const std::vector<double>& scale) {
  const AttributeHandle attribute(H5Aopen(from, name.c_str(), H5P_DEFAULT));
  if (!attribute) return hdf5_error(lock, ErrorCode::kIoError, "cannot open attribute " + name);
  ZF_ASSIGN_OR_RETURN(const bool scaled,
                      copy_scaled_voxel_size(lock, attribute.get(), to, name, scale));
  if (scaled) return ok_status();
  const TypeHandle type(H5Aget_type(attribute.get()));
  if (H5Tdetect_class(type.get(), H5T_REFERENCE) > 0) return ok_status();
  const TypeHandle memory(H5Tget_native_type(type.get(), H5T_DIR_ASCEND));
  const SpaceHandle space(H5Aget_space(attribute.get()));
  std::vector<std::byte> buffer(
      std::max<std::size_t>(1, H5Tget_size(memory.get()) * point_count(space.get())));
  if (H5Aread(attribute.get(), memory.get(), buffer.data()) < 0)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot read attribute " + name);
  const AttributeHandle copy(
      H5Acreate2(to, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  const bool written = copy && H5Awrite(copy.get(), memory.get(), buffer.data()) >= 0;
  const bool variable =
      H5Tdetect_class(memory.get(), H5T_VLEN) > 0 ||
      (H5Tget_class(memory.get()) == H5T_STRING && H5Tis_variable_str(memory.get()) > 0);
  if (variable) H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, buffer.data());
  if (!written) return hdf5_error(lock, ErrorCode::kIoError, "cannot copy attribute " + name);
  return ok_status();
}

}  // namespace

std::vector<AttributeInfo> read_attributes(const Hdf5Lock& lock, hid_t object) {
  std::vector<AttributeInfo> result;
  for (const std::string& name : attribute_names(object)) {
    const AttributeHandle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT));
    if (!attribute) {
      result.push_back({name, "<unreadable>", ""});
      continue;
    }
    const json value = attribute_json(attribute.get());
    result.push_back({name, attribute_text(lock, attribute.get()),
                      value.is_null()
                          ? std::string()
                          : value.dump(-1, ' ', false, json::error_handler_t::replace)});
  }
  return result;
}

Status copy_attributes(const Hdf5Lock& lock, hid_t from, hid_t to,
                       const std::vector<double>& voxel_scale) {
  for (const std::string& name : attribute_names(from))
    ZF_RETURN_IF_ERROR(copy_attribute(lock, from, to, name, voxel_scale));
  return ok_status();
}

namespace {

template <class T>
Status write_list(const Hdf5Lock& lock, hid_t to, const std::string& name, hid_t file_type,
                  hid_t memory_type, const std::vector<T>& values, bool as_array) {
  const hsize_t dims[1] = {values.size()};
  SpaceHandle space(as_array ? H5Screate_simple(1, dims, nullptr) : H5Screate(H5S_SCALAR));
  AttributeHandle attribute(
      H5Acreate2(to, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attribute || H5Awrite(attribute.get(), memory_type, values.data()) < 0)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot write attribute " + name);
  return ok_status();
}

Status write_strings(const Hdf5Lock& lock, hid_t to, const std::string& name,
                     const std::vector<std::string>& values, bool as_array) {
  TypeHandle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  std::vector<const char*> pointers;
  for (const std::string& v : values) pointers.push_back(v.c_str());
  return write_list(lock, to, name, type.get(), type.get(), pointers, as_array);
}

Status write_bools(const Hdf5Lock& lock, hid_t to, const std::string& name,
                   const std::vector<std::int8_t>& values, bool as_array) {
  const TypeHandle type = stored_type_for(lock, DType::kBool);
  return write_list(lock, to, name, type.get(), type.get(), values, as_array);
}

}  // namespace

Status write_json_attribute(const Hdf5Lock& lock, hid_t object, const std::string& name,
                            const json& value) {
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  const bool as_array = value.is_array();
  const json list = as_array ? value : json::array({value});
  const auto all = [&](auto predicate) {
    return !list.empty() && std::all_of(list.begin(), list.end(), predicate);
  };
  if (all([](const json& v) { return v.is_boolean(); })) {
    std::vector<std::int8_t> values;
    for (const json& v : list) values.push_back(v.get<bool>() ? 1 : 0);
    return write_bools(lock, object, name, values, as_array);
  }
  if (all([](const json& v) { return v.is_number_integer() && !v.is_number_unsigned(); }) ||
      all([](const json& v) {
        return v.is_number_integer() && v.get<std::uint64_t>() <= INT64_MAX;
      })) {
    std::vector<long long> values;
    for (const json& v : list) values.push_back(v.get<long long>());
    return write_list(lock, object, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, values, as_array);
  }
  if (all([](const json& v) { return v.is_number_unsigned(); })) {
    std::vector<unsigned long long> values;
    for (const json& v : list) values.push_back(v.get<unsigned long long>());
    return write_list(lock, object, name, H5T_STD_U64LE, H5T_NATIVE_ULLONG, values, as_array);
  }
  if (all([](const json& v) { return v.is_number(); })) {
    std::vector<double> values;
    for (const json& v : list) values.push_back(v.get<double>());
    return write_list(lock, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values, as_array);
  }
  if (all([](const json& v) { return v.is_string(); })) {
    std::vector<std::string> values;
    for (const json& v : list) values.push_back(v.get<std::string>());
    return write_strings(lock, object, name, values, as_array);
  }
  return write_string_attribute(lock, object, name,
                                value.dump(-1, ' ', false, json::error_handler_t::replace));
}

Status write_string_attribute(const Hdf5Lock& lock, hid_t object, const std::string& name,
                              const std::string& value) {
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  TypeHandle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const SpaceHandle space(H5Screate(H5S_SCALAR));
  const AttributeHandle attribute(
      H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  const char* text = value.c_str();
  if (!attribute || H5Awrite(attribute.get(), type.get(), &text) < 0)
    return hdf5_error(lock, ErrorCode::kIoError, "cannot write attribute " + name);
  return ok_status();
}

}  // namespace zoomflow::storage
