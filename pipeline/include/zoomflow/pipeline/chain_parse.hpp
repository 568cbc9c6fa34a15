// Chain steps as users write them: "resample:zoom=2,order=1", "clip:lo=0,hi=1000",
// "scale:mul=0.255,add=0", "cast:uint8", "threshold:gt=128", "gaussian:sigma=1,1,2"; or a JSON
// array of objects such as {"step": "gaussian", "sigma": [1, 1, 2]}.
#pragma once

#include <string_view>
#include <vector>

#include "zoomflow/pipeline/chain_step.hpp"

namespace zoomflow {

Result<ChainStepPtr> parse_step(std::string_view text);
Result<std::vector<ChainStepPtr>> parse_steps_json(std::string_view json_text);

}  // namespace zoomflow
