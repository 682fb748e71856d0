// TF's `checkpoint` state file: FORMATS.md's example parses, ours round-trips, bad lines are named.
#include "tapeflow/train/checkpoint_state.h"

#include <gtest/gtest.h>

#include "error_of.h"

namespace train = tapeflow::train;

TEST(CheckpointState, ParsesTheFileCheckpointManagerWrites) {
  const train::CheckpointState state = train::parse_checkpoint_state(R"(model_checkpoint_path: "ckpt-3"
all_model_checkpoint_paths: "ckpt-2"
all_model_checkpoint_paths: "ckpt-3"
all_model_checkpoint_timestamps: 1700000100.5
all_model_checkpoint_timestamps: 1700000200.25
last_preserved_timestamp: 1699999999.0
)",
                                                                     "checkpoint");
  EXPECT_EQ(state.model_checkpoint_path, "ckpt-3");
  EXPECT_EQ(state.all_model_checkpoint_paths, (std::vector<std::string>{"ckpt-2", "ckpt-3"}));
  EXPECT_EQ(state.all_model_checkpoint_timestamps, (std::vector<double>{1700000100.5, 1700000200.25}));
  EXPECT_EQ(state.last_preserved_timestamp, 1699999999.0);
}

TEST(CheckpointState, RoundTripsQuotesAndFullPrecision) {
  const train::CheckpointState state{.model_checkpoint_path = R"(odd "name"\-1)",
                                     .all_model_checkpoint_paths = {"a-1", R"(odd "name"\-1)"},
                                     .all_model_checkpoint_timestamps = {1764370000.123456, 1764370001.5},
                                     .last_preserved_timestamp = 1764369999.25};
  const train::CheckpointState back = train::parse_checkpoint_state(state.to_text(), "memory");
  EXPECT_EQ(back.model_checkpoint_path, state.model_checkpoint_path);
  EXPECT_EQ(back.all_model_checkpoint_paths, state.all_model_checkpoint_paths);
  EXPECT_EQ(back.all_model_checkpoint_timestamps, state.all_model_checkpoint_timestamps);
  EXPECT_EQ(back.last_preserved_timestamp, state.last_preserved_timestamp);
}

TEST(CheckpointState, BadLinesAreNamed) {
  using tapeflow::testing::error_of;
  EXPECT_EQ(error_of([] { train::parse_checkpoint_state("model_checkpoint_path: ckpt-1\n", "dir/checkpoint"); }),
            "checkpoint state file dir/checkpoint line 1: expected a quoted string in 'model_checkpoint_path: ckpt-1'");
  EXPECT_EQ(error_of([] { train::parse_checkpoint_state("model_checkpoint_path: \"a\"\nsurprise: 1\n", "f"); }),
            "checkpoint state file f line 2: unknown field 'surprise' in 'surprise: 1'");
  EXPECT_EQ(error_of([] { train::parse_checkpoint_state("all_model_checkpoint_timestamps: soon\n", "f"); }),
            "checkpoint state file f line 1: expected a number in 'all_model_checkpoint_timestamps: soon'");
  EXPECT_EQ(error_of([] { train::parse_checkpoint_state("\n", "f"); }), "checkpoint state file f: no model_checkpoint_path");
}
