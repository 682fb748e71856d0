// Model::summary: Keras's table, column for column (line length 65, columns at 29/55/65).
#include <fmt/format.h>

#include "tapeflow/keras/model.h"

namespace tapeflow {

namespace {

std::string thousands(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "(None, 28, 28, 32)" as Python prints the shape tuple; "(None,)" for rank 1.
std::string shape_tuple(const std::optional<Shape>& shape) {
  if (!shape) return "?";
  std::string s = "(";
  for (int i = 0; i < shape->rank(); ++i) {
    if (i > 0) s += ", ";
    s += (*shape)[i] < 0 ? "None" : std::to_string((*shape)[i]);
  }
  return s + (shape->rank() == 1 ? ",)" : ")");
}

// Keras's print_row: each field is cut at its column's end and padded to it.
std::string row(const std::vector<std::string>& fields, const std::vector<int>& positions) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line = line.substr(0, line.size() - 1) + " ";
    line += fields[i];
    line = line.substr(0, positions[i]);
    line += std::string(positions[i] - line.size(), ' ');
  }
  return line;
}

}  // namespace

void Model::summary(std::ostream& os, int line_length) const {
  const std::vector<int> positions{int(line_length * .45), int(line_length * .85), line_length};
  const std::string thin(line_length, '_'), thick(line_length, '=');
  os << "Model: \"" << name() << "\"\n" << thin << "\n";
  os << row({"Layer (type)", "Output Shape", "Param #"}, positions) << "\n" << thick << "\n";
  const auto& layers = sublayers();
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& l = *layers[i];
    os << row({l.name() + " (" + l.type() + ")", shape_tuple(l.output_shape()), std::to_string(l.count_params())},
              positions)
       << "\n"
       << (i + 1 < layers.size() ? thin : thick) << "\n";
  }
  if (layers.empty()) os << thick << "\n";
  int64_t trainable = 0, total = 0;
  for (const Variable& v : variables()) {
    total += v.num_elements();
    if (v.trainable()) trainable += v.num_elements();
  }
  os << "Total params: " << thousands(total) << "\n"
     << "Trainable params: " << thousands(trainable) << "\n"
     << "Non-trainable params: " << thousands(total - trainable) << "\n"
     << thin << "\n";
}

}  // namespace tapeflow
