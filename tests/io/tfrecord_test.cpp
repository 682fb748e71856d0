// TFRecord framing byte for byte (FORMATS.md section 1), ZLIB/GZIP round trips, and the reader on damaged
// files: every kind of damage at every part of a record (header, payload, footer) names the file and the
// record's byte offset, and skip_corrupt skips what the header documents.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>

#include "error_of.h"
#include "tapeflow/io/compression.h"
#include "tapeflow/io/crc32c.h"
#include "tfrecord_test_util.h"

namespace io = tapeflow::io;
namespace fs = std::filesystem;
using tapeflow::testing::error_of;
using tapeflow::testing::file_bytes;
using tapeflow::testing::hex;
using tapeflow::testing::put_bytes;
using tapeflow::testing::read_records;
using tapeflow::testing::write_records;

namespace {

class TFRecord : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tapeflow::testing::scratch_dir("tfrecord"); }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// Three records: "hello" at 0 (21 bytes), "" at 21 (16 bytes), 100 x 'z' at 37 (116 bytes); 153 in all.
const std::vector<std::string> kThree = {"hello", "", std::string(100, 'z')};

std::string inflate_all(const std::string& compressed) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 32);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

}  // namespace

TEST_F(TFRecord, HelloAndEmptyRecordsByteForByte) {
  write_records(dir_ / "hello", {"hello"});
  EXPECT_EQ(hex(file_bytes(dir_ / "hello")), "0500000000000000eab2043e68656c6c6fbb1f1c19");
  write_records(dir_ / "empty", {""});
  EXPECT_EQ(hex(file_bytes(dir_ / "empty")), "000000000000000029039807d8ea82a2");
  EXPECT_EQ(read_records(dir_ / "hello"), std::vector<std::string>{"hello"});
  EXPECT_EQ(read_records(dir_ / "empty"), std::vector<std::string>{""});
}

TEST_F(TFRecord, EmptyFileHasNoRecords) {
  write_records(dir_ / "none", {});
  EXPECT_EQ(file_bytes(dir_ / "none").size(), 0u);
  EXPECT_TRUE(read_records(dir_ / "none").empty());
}

TEST_F(TFRecord, ZlibAndGzipWrapTheWholeFramedStream) {
  write_records(dir_ / "plain", kThree);
  const std::string plain = file_bytes(dir_ / "plain");
  for (io::Compression c : {io::Compression::kZlib, io::Compression::kGzip}) {
    const fs::path path = dir_ / std::string(io::compression_name(c));
    write_records(path, kThree, {.compression = c});
    const std::string compressed = file_bytes(path);
    // RFC 1950 starts 0x78; RFC 1952 starts 1f 8b.
    if (c == io::Compression::kGzip) EXPECT_EQ(hex(compressed.substr(0, 2)), "1f8b");
    else EXPECT_EQ(hex(compressed.substr(0, 1)), "78");
    EXPECT_EQ(inflate_all(compressed), plain) << io::compression_name(c);
    EXPECT_EQ(read_records(path, {.compression = c}), kThree) << io::compression_name(c);
  }
}

TEST_F(TFRecord, CompressedRoundTripOfManyRecordsWithSmallBuffersAndFlushes) {
  std::vector<std::string> records;
  for (int i = 0; i < 300; ++i) records.push_back(std::string(static_cast<size_t>(i * 37 % 5000), static_cast<char>('a' + i % 26)));
  io::TFRecordWriter writer(dir_ / "many.gz", {.compression = io::Compression::kGzip, .buffer_size = 4096});
  for (size_t i = 0; i < records.size(); ++i) {
    writer.write(records[i]);
    if (i % 50 == 0) writer.flush();
  }
  writer.close();
  EXPECT_EQ(read_records(dir_ / "many.gz", {.compression = io::Compression::kGzip, .buffer_size = 4096}), records);
}

TEST_F(TFRecord, ConcatenatedGzipMembersReadAsOneStream) {
  write_records(dir_ / "a.gz", {"one", "two"}, {.compression = io::Compression::kGzip});
  write_records(dir_ / "b.gz", {"three"}, {.compression = io::Compression::kGzip});
  put_bytes(dir_ / "ab.gz", file_bytes(dir_ / "a.gz") + file_bytes(dir_ / "b.gz"));
  EXPECT_EQ(read_records(dir_ / "ab.gz", {.compression = io::Compression::kGzip}),
            (std::vector<std::string>{"one", "two", "three"}));
}

TEST_F(TFRecord, CompressionNames) {
  EXPECT_EQ(io::parse_compression(""), io::Compression::kNone);
  EXPECT_EQ(io::parse_compression("gzip"), io::Compression::kGzip);
  EXPECT_EQ(io::parse_compression("ZLIB"), io::Compression::kZlib);
  EXPECT_EQ(error_of([] { io::parse_compression("snappy"); }),
            "unknown TFRecord compression 'snappy': expected \"\", NONE, ZLIB or GZIP");
}

TEST_F(TFRecord, MissingFileNamesIt) {
  EXPECT_EQ(error_of([&] { io::TFRecordReader reader(dir_ / "nope"); }),
            "cannot open TFRecord file " + (dir_ / "nope").string() + ": No such file or directory");
}

// Damage at each part of the third record (offset 37), and a cut at each part.
struct Damage {
  const char* name;
  size_t cut_at;       // keep this many bytes (0: keep all)
  size_t flip_at;      // flip a bit here (0: none)
  const char* error;   // after "TFRecord file <path>: "
};

TEST_F(TFRecord, EveryDamageNamesFileAndOffset) {
  const Damage damages[] = {
      {"cut in the header", 37 + 5, 0, "truncated record: header has 5 of 12 bytes at byte offset 37"},
      {"cut in the payload", 37 + 12 + 40, 0,
       "truncated record: the header promises 100 payload bytes and a 4-byte CRC, but only 40 bytes follow at byte offset 37"},
      {"cut in the footer", 37 + 12 + 100 + 2, 0,
       "truncated record: the header promises 100 payload bytes and a 4-byte CRC, but only 102 bytes follow at byte offset 37"},
      {"flipped length", 0, 37 + 1, "corrupted record: the length field's CRC32C does not match"},
      {"flipped length CRC", 0, 37 + 9, "corrupted record: the length field's CRC32C does not match"},
      {"flipped payload", 0, 37 + 12 + 50, "corrupted record: the payload's CRC32C does not match"},
      {"flipped payload CRC", 0, 37 + 12 + 100 + 1, "corrupted record: the payload's CRC32C does not match"},
  };
  write_records(dir_ / "good", kThree);
  const std::string good = file_bytes(dir_ / "good");
  ASSERT_EQ(good.size(), 153u);
  for (const Damage& d : damages) {
    std::string bytes = good;
    if (d.cut_at) bytes.resize(d.cut_at);
    if (d.flip_at) bytes[d.flip_at] ^= 0x10;
    const fs::path path = dir_ / "bad";
    put_bytes(path, bytes);
    io::TFRecordReader reader(path);
    EXPECT_EQ(reader.next(), "hello") << d.name;
    EXPECT_EQ(reader.next(), "") << d.name;
    const std::string error = error_of([&] { reader.next(); });
    const std::string prefix = "TFRecord file " + path.string() + ": ";
    EXPECT_EQ(error.substr(0, prefix.size() + std::string(d.error).size()), prefix + d.error) << d.name;
    EXPECT_NE(error.find("at byte offset 37"), std::string::npos) << d.name << ": " << error;
  }
}

TEST_F(TFRecord, SkipCorruptSkipsExactlyARecordWithABadPayload) {
  write_records(dir_ / "good", {"first", "second", "third"});  // "second" at 21, its payload at 33
  std::string bytes = file_bytes(dir_ / "good");
  bytes[33] = 'S';
  put_bytes(dir_ / "bad", bytes);
  io::TFRecordReader reader(dir_ / "bad", {.skip_corrupt = true});
  EXPECT_EQ(reader.next(), "first");
  EXPECT_EQ(reader.next(), "third");
  EXPECT_EQ(reader.next(), std::nullopt);
  EXPECT_EQ(reader.corrupt_records(), 1);
}

TEST_F(TFRecord, SkipCorruptDropsTheRestAfterABadLengthOrATruncation) {
  write_records(dir_ / "good", {"first", "second", "third"});
  std::string bytes = file_bytes(dir_ / "good");
  std::string bad_length = bytes;
  bad_length[21] = 7;  // the length of "second"
  put_bytes(dir_ / "bad_length", bad_length);
  io::TFRecordReader reader(dir_ / "bad_length", {.skip_corrupt = true});
  EXPECT_EQ(reader.next(), "first");
  EXPECT_EQ(reader.next(), std::nullopt);
  EXPECT_EQ(reader.corrupt_records(), 1);

  put_bytes(dir_ / "cut", bytes.substr(0, bytes.size() - 1));
  EXPECT_EQ(read_records(dir_ / "cut", {.skip_corrupt = true}), (std::vector<std::string>{"first", "second"}));
}

TEST_F(TFRecord, ALyingLengthIsNeverAllocated) {
  // A header with a valid CRC claiming 2^60 bytes, then nothing: refused from the file size at once.
  char header[12];
  const uint64_t huge = uint64_t{1} << 60;
  std::memcpy(header, &huge, 8);
  const uint32_t crc = io::mask_crc32c(io::crc32c(header, 8));
  std::memcpy(header + 8, &crc, 4);
  put_bytes(dir_ / "huge", std::string(header, 12) + "abc");
  EXPECT_NE(error_of([&] { read_records(dir_ / "huge"); })
                .find("truncated record: the header promises 1152921504606846976 payload bytes"),
            std::string::npos);
  // Compressed, the size is unknown: the payload grows only by what really follows.
  {
    io::TFRecordWriter writer(dir_ / "huge.gz", {.compression = io::Compression::kGzip});
    writer.close();
  }
  gzFile gz = gzopen((dir_ / "huge.gz").c_str(), "wb");
  gzwrite(gz, header, 12);
  gzwrite(gz, "abc", 3);
  gzclose(gz);
  EXPECT_EQ(error_of([&] { read_records(dir_ / "huge.gz", {.compression = io::Compression::kGzip}); }),
            "TFRecord file " + (dir_ / "huge.gz").string() +
                ": truncated record: payload has 3 of 1152921504606846976 bytes at byte offset 0 of the decompressed GZIP stream");
}

TEST_F(TFRecord, DamagedCompressedStreamsAreErrorsNotGarbage) {
  write_records(dir_ / "good.gz", kThree, {.compression = io::Compression::kGzip});
  const std::string good = file_bytes(dir_ / "good.gz");
  put_bytes(dir_ / "cut.gz", good.substr(0, good.size() - 10));  // the stream's end (and checksum) is lost
  const std::string cut = error_of([&] { read_records(dir_ / "cut.gz", {.compression = io::Compression::kGzip}); });
  EXPECT_NE(cut.find("the compressed stream is cut off"), std::string::npos) << cut;
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0xff;
  put_bytes(dir_ / "flipped.gz", flipped);
  const std::string bad = error_of([&] { read_records(dir_ / "flipped.gz", {.compression = io::Compression::kGzip}); });
  EXPECT_NE(bad.find("TFRecord file " + (dir_ / "flipped.gz").string()), std::string::npos) << bad;
  EXPECT_NE(bad.find("of the decompressed GZIP stream"), std::string::npos) << bad;
  // An uncompressed file read as GZIP is refused, not parsed.
  write_records(dir_ / "plain", kThree);
  EXPECT_NE(error_of([&] { read_records(dir_ / "plain", {.compression = io::Compression::kGzip}); }).find("damaged"),
            std::string::npos);
}

TEST_F(TFRecord, TheWriterKeepsItsOldConstructorAndClosesOnce) {
  io::TFRecordWriter writer(dir_ / "old");
  writer.write("a");
  writer.close();
  writer.close();
  EXPECT_EQ(error_of([&] { writer.write("b"); }), "TFRecordWriter " + (dir_ / "old").string() + ": write after close");
}
