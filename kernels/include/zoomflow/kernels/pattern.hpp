// Synthetic volumes for demos, benchmarks and tests, computed box by box so that a volume
// larger than memory can be generated in pieces with identical results.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "zoomflow/kernels/error.hpp"
#include "zoomflow/kernels/strided_view.hpp"

namespace zoomflow {

enum class Pattern : std::uint8_t {
  kBox,     // the seed's mask: [50:600, 200:1000, 5:30] of (1024, 1024, 512), scaled to the shape
  kNoise,   // a smooth field plus noise, like CT intensities
  kLabels,  // piecewise-constant integer regions, like a segmentation
};

std::optional<Pattern> parse_pattern(std::string_view name);
std::string_view pattern_name(Pattern pattern);

// The box pattern's true region for a volume shape (rank >= 1; leading axes beyond the last
// three are whole).
Box box_pattern_region(const Shape& volume_shape);

// Fills `out` with the voxels `box` of a volume of `volume_shape` in `pattern`.
Status fill_pattern(Pattern pattern, const Shape& volume_shape, const Box& box, ArrayView out,
                    std::uint64_t seed = 0);

}  // namespace zoomflow
