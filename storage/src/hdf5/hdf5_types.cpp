#include "hdf5_types.hpp"

#include <cstring>
#include <vector>

namespace zoomflow::storage {
namespace {

constexpr const char* kSupported =
    "zoomflow reads bool, int8..int64, uint8..uint64, float32 and float64";

Error unsupported(const std::string& where, const std::string& what) {
  return make_error(ErrorCode::kInvalidArgument,
                    where + " has an unsupported element type (" + what + "); " + kSupported);
}

DType integer_dtype(std::size_t size, bool is_signed) {
  switch (size) {
    case 1:
      return is_signed ? DType::kInt8 : DType::kUInt8;
    case 2:
      return is_signed ? DType::kInt16 : DType::kUInt16;
    case 4:
      return is_signed ? DType::kInt32 : DType::kUInt32;
    default:
      return is_signed ? DType::kInt64 : DType::kUInt64;
  }
}

bool is_standard_integer(hid_t type, std::size_t size) {
  return H5Tget_precision(type) == 8 * size && H5Tget_offset(type) == 0;
}

Result<StoredType> describe_integer(hid_t type, const std::string& where) {
  const std::size_t size = H5Tget_size(type);
  if (size != 1 && size != 2 && size != 4 && size != 8)
    return unsupported(where, std::to_string(8 * size) + "-bit integer");
  StoredType stored;
  stored.dtype = integer_dtype(size, H5Tget_sign(type) == H5T_SGN_2);
  stored.big_endian = H5Tget_order(type) == H5T_ORDER_BE;
  stored.raw_compatible = is_standard_integer(type, size);
  return stored;
}

Result<StoredType> describe_float(hid_t type, const std::string& where) {
  const std::size_t size = H5Tget_size(type);
  if (size != 4 && size != 8) return unsupported(where, std::to_string(8 * size) + "-bit float");
  StoredType stored;
  stored.dtype = size == 4 ? DType::kFloat32 : DType::kFloat64;
  stored.big_endian = H5Tget_order(type) == H5T_ORDER_BE;
  const hid_t le = size == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  const hid_t be = size == 4 ? H5T_IEEE_F32BE : H5T_IEEE_F64BE;
  stored.raw_compatible = H5Tequal(type, le) > 0 || H5Tequal(type, be) > 0;
  return stored;
}

std::string member_name(hid_t type, unsigned index) {
  char* name = H5Tget_member_name(type, index);
  if (name == nullptr) return {};
  std::string text(name);
  H5free_memory(name);
  return text;
}

// h5py's bool: an enum over a one-byte integer with exactly FALSE = 0 and TRUE = 1.
bool is_bool_enum(hid_t type) {
  if (H5Tget_size(type) != 1 || H5Tget_nmembers(type) != 2) return false;
  for (unsigned i = 0; i < 2; ++i) {
    std::uint8_t raw = 0;  // the member's value in the one-byte base type
    if (H5Tget_member_value(type, i, &raw) < 0) return false;
    const std::string name = member_name(type, i);
    if (!((name == "FALSE" && raw == 0) || (name == "TRUE" && raw == 1))) return false;
  }
  return true;
}

Result<StoredType> describe_enum(hid_t type, const std::string& where) {
  const TypeHandle base(H5Tget_super(type));
  if (!base) return unsupported(where, "enum without a base type");
  ZF_ASSIGN_OR_RETURN(StoredType stored, describe_integer(base.get(), where));
  if (is_bool_enum(type)) {
    stored.dtype = DType::kBool;
    return stored;
  }
  // Any other enum reads as its integer values, in every layout: HDF5 is asked for the bytes as
  // stored (its enum conversion would turn values outside the enum into -1).
  if (!stored.raw_compatible)
    return unsupported(where, "an enum over a " + std::to_string(H5Tget_precision(base.get())) +
                                  "-bit integer with padding");
  stored.read_unconverted = true;
  return stored;
}

}  // namespace

std::string type_class_name(const Hdf5Lock&, hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return "integer";
    case H5T_FLOAT:
      return "float";
    case H5T_TIME:
      return "time";
    case H5T_STRING:
      return "string";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    case H5T_ENUM:
      return "enum";
    case H5T_VLEN:
      return "variable-length";
    case H5T_ARRAY:
      return "array";
    default:
      return "unknown";
  }
}

Result<StoredType> describe_stored_type(const Hdf5Lock& lock, hid_t type,
                                        const std::string& where) {
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return describe_integer(type, where);
    case H5T_FLOAT:
      return describe_float(type, where);
    case H5T_ENUM:
      return describe_enum(type, where);
    default:
      break;
  }
  std::string what = type_class_name(lock, type);
  if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0)
    what = "variable-length string";
  return unsupported(where, what);
}

TypeHandle read_memory_type(const Hdf5Lock& lock, hid_t file_type, const StoredType& stored) {
  if (stored.read_unconverted) return TypeHandle(H5Tcopy(file_type));
  if (H5Tget_class(file_type) == H5T_ENUM)
    return TypeHandle(H5Tget_native_type(file_type, H5T_DIR_ASCEND));
  return memory_type_for(lock, stored.dtype);
}

TypeHandle memory_type_for(const Hdf5Lock&, DType dtype) {
  switch (dtype) {
    case DType::kBool: {
      TypeHandle type(H5Tenum_create(H5T_NATIVE_INT8));
      const std::int8_t no = 0, yes = 1;
      H5Tenum_insert(type.get(), "FALSE", &no);
      H5Tenum_insert(type.get(), "TRUE", &yes);
      return type;
    }
    case DType::kInt8:
      return TypeHandle(H5Tcopy(H5T_NATIVE_INT8));
    case DType::kInt16:
      return TypeHandle(H5Tcopy(H5T_NATIVE_INT16));
    case DType::kInt32:
      return TypeHandle(H5Tcopy(H5T_NATIVE_INT32));
    case DType::kInt64:
      return TypeHandle(H5Tcopy(H5T_NATIVE_INT64));
    case DType::kUInt8:
      return TypeHandle(H5Tcopy(H5T_NATIVE_UINT8));
    case DType::kUInt16:
      return TypeHandle(H5Tcopy(H5T_NATIVE_UINT16));
    case DType::kUInt32:
      return TypeHandle(H5Tcopy(H5T_NATIVE_UINT32));
    case DType::kUInt64:
      return TypeHandle(H5Tcopy(H5T_NATIVE_UINT64));
    case DType::kFloat32:
      return TypeHandle(H5Tcopy(H5T_NATIVE_FLOAT));
    case DType::kFloat64:
      break;
  }
  return TypeHandle(H5Tcopy(H5T_NATIVE_DOUBLE));
}

TypeHandle stored_type_for(const Hdf5Lock&, DType dtype) {
  switch (dtype) {
    case DType::kBool: {
      TypeHandle type(H5Tenum_create(H5T_STD_I8LE));
      const std::int8_t no = 0, yes = 1;
      H5Tenum_insert(type.get(), "FALSE", &no);
      H5Tenum_insert(type.get(), "TRUE", &yes);
      return type;
    }
    case DType::kInt8:
      return TypeHandle(H5Tcopy(H5T_STD_I8LE));
    case DType::kInt16:
      return TypeHandle(H5Tcopy(H5T_STD_I16LE));
    case DType::kInt32:
      return TypeHandle(H5Tcopy(H5T_STD_I32LE));
    case DType::kInt64:
      return TypeHandle(H5Tcopy(H5T_STD_I64LE));
    case DType::kUInt8:
      return TypeHandle(H5Tcopy(H5T_STD_U8LE));
    case DType::kUInt16:
      return TypeHandle(H5Tcopy(H5T_STD_U16LE));
    case DType::kUInt32:
      return TypeHandle(H5Tcopy(H5T_STD_U32LE));
    case DType::kUInt64:
      return TypeHandle(H5Tcopy(H5T_STD_U64LE));
    case DType::kFloat32:
      return TypeHandle(H5Tcopy(H5T_IEEE_F32LE));
    case DType::kFloat64:
      break;
  }
  return TypeHandle(H5Tcopy(H5T_IEEE_F64LE));
}

}  // namespace zoomflow::storage
