#pragma once
// TensorBoard's Event protos, encoded as TF2's summary ops write them (FORMATS.md §3): one Event per
// summary, holding one Summary.Value with plugin metadata and a TensorProto.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tapeflow::summary::detail {

// The first record of every event file: file_version "brain.Event:2".
std::string file_version_event(double wall_time);

// A rank-0 float32 tensor under the "scalars" plugin.
std::string scalar_event(double wall_time, int64_t step, const std::string& tag, float value);
// A rank-1 string tensor [width, height, png_1, ..., png_k] under the "images" plugin.
std::string image_event(double wall_time, int64_t step, const std::string& tag, int64_t width, int64_t height,
                        const std::vector<std::string>& pngs);
// A float64 [k, 3] tensor of (left edge, right edge, count) rows under the "histograms" plugin.
std::string histogram_event(double wall_time, int64_t step, const std::string& tag,
                            const std::vector<std::array<double, 3>>& buckets);
// A rank-0 string tensor under the "text" plugin (TensorBoard renders it as markdown).
std::string text_event(double wall_time, int64_t step, const std::string& tag, const std::string& text);

}  // namespace tapeflow::summary::detail
