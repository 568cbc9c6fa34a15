#include "bench_volume.hpp"

#include <tbb/parallel_for.h>

#include "command.hpp"

namespace zoomflow::tools {

void add_bench_volume_options(CLI::App& command, BenchVolumeArgs& args) {
  command.add_option("--shape", args.shape, "input shape Z,Y,X")->capture_default_str();
  command.add_option("--zoom", args.zoom, "zoom factor, or one per axis")->capture_default_str();
  command.add_option("--dtype", args.dtype, "element type")->capture_default_str();
  command.add_option("--pattern", args.pattern, "box|noise|labels")->capture_default_str();
  command.add_option("--order", args.order, "spline order 0..5")
      ->check(CLI::IsMember({0, 1, 2, 3, 4, 5}))
      ->capture_default_str();
  command.add_option("--mode", args.mode, "boundary mode (scipy's names)")->capture_default_str();
  command.add_option("--grid", args.grid, "centers|corners")
      ->check(CLI::IsMember({"centers", "corners"}))
      ->capture_default_str();
  command.add_option("--repeat", args.repeats, "best of N timings")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command.add_flag("--json", args.json, "print the rows as a JSON array");
}

Result<BenchVolume> parse_bench_volume(const BenchVolumeArgs& args) {
  BenchVolume volume;
  ZF_ASSIGN_OR_RETURN(volume.input_shape, parse_shape(args.shape));
  ZF_ASSIGN_OR_RETURN(volume.zoom, parse_zoom(args.zoom, volume.input_shape.rank()));
  const auto dtype = parse_dtype(args.dtype);
  if (!dtype) return make_error(ErrorCode::kInvalidArgument, "unknown --dtype " + args.dtype);
  volume.dtype = *dtype;
  const auto pattern = parse_pattern(args.pattern);
  if (!pattern) return make_error(ErrorCode::kInvalidArgument, "unknown --pattern " + args.pattern);
  volume.pattern = *pattern;
  volume.interpolation = Interpolation(args.order);
  volume.grid = args.grid == "corners" ? Grid::kCorners : Grid::kCenters;
  const auto mode = parse_boundary_mode(args.mode);
  if (!mode)
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown --mode " + args.mode + "; use one of " + boundary_mode_names());
  volume.mode = *mode;
  return volume;
}

Status fill_volume(Pattern pattern, ArrayView volume) {
  const Shape& shape = volume.shape();
  std::vector<Status> failures(static_cast<std::size_t>(shape[0]));
  tbb::parallel_for(Index(0), shape[0], [&](Index plane) {
    Box box = Box::from_shape(shape);
    box.origin[0] = plane;
    box.extent[0] = 1;
    failures[std::size_t(plane)] = fill_pattern(pattern, shape, box, volume.subview(box));
  });
  for (const Status& s : failures) ZF_RETURN_IF_ERROR(s);
  return ok_status();
}

}  // namespace zoomflow::tools
