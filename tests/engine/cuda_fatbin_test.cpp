// The build carries native sm_90 (H100/H200) code for every CUDA translation unit, checked on the CPU:
// this test binary links the CUDA kernels statically, so its own ELF file holds their fat binaries in
// the .nv_fatbin section. Each fat binary (one per .cu file) is a container of entries — PTX (kind 1)
// or a cubin (kind 2) — whose headers name the target architecture, as `cuobjdump --list-elf` prints.
// (cuobjdump itself is not part of the toolkit installed here.)
#include <elf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace {

#ifdef TAPEFLOW_WITH_CUDA
constexpr uint32_t kFatbinMagic = 0xBA55ED50;
constexpr uint16_t kPtx = 1, kCubin = 2;

struct FatbinEntry {
  uint16_t kind;
  uint32_t arch;  // 90 for sm_90
};

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <class T> T read_at(const std::vector<char>& bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// [offset, size) of the named section of a 64-bit ELF file; size 0 when absent.
std::pair<size_t, size_t> find_section(const std::vector<char>& elf, const std::string& name) {
  const auto header = read_at<Elf64_Ehdr>(elf, 0);
  const auto names = read_at<Elf64_Shdr>(elf, header.e_shoff + size_t(header.e_shstrndx) * header.e_shentsize);
  for (size_t i = 0; i < header.e_shnum; ++i) {
    const auto section = read_at<Elf64_Shdr>(elf, header.e_shoff + i * header.e_shentsize);
    if (name == elf.data() + names.sh_offset + section.sh_name) return {section.sh_offset, section.sh_size};
  }
  return {0, 0};
}

// The entries of every fat binary container in [offset, offset + size). Containers are 8-byte aligned.
// Container header: u32 magic, u16 version, u16 header size, u64 payload size. Entry header: u16 kind,
// u16, u32 header size, u64 payload size, u32, u32, u16 minor, u16 major, u32 arch, ...
std::vector<std::vector<FatbinEntry>> fatbin_containers(const std::vector<char>& bytes, size_t offset, size_t size) {
  std::vector<std::vector<FatbinEntry>> containers;
  for (size_t pos = offset; pos + 16 <= offset + size;) {
    if (read_at<uint32_t>(bytes, pos) != kFatbinMagic) {
      pos += 8;
      continue;
    }
    const size_t end = pos + read_at<uint16_t>(bytes, pos + 6) + read_at<uint64_t>(bytes, pos + 8);
    std::vector<FatbinEntry>& entries = containers.emplace_back();
    for (size_t e = pos + read_at<uint16_t>(bytes, pos + 6); e + 32 <= end;) {
      entries.push_back({read_at<uint16_t>(bytes, e), read_at<uint32_t>(bytes, e + 28)});
      e += read_at<uint32_t>(bytes, e + 4) + read_at<uint64_t>(bytes, e + 8);
    }
    pos = end;
  }
  return containers;
}
#endif

TEST(CudaFatbin, EveryCudaFileCarriesNativeSm90Code) {
#ifndef TAPEFLOW_WITH_CUDA
  GTEST_SKIP() << "a CPU-only build (TAPEFLOW_CUDA=OFF or no nvcc) has no CUDA code";
#else
  const std::vector<char> self = read_file("/proc/self/exe");
  ASSERT_GT(self.size(), sizeof(Elf64_Ehdr));
  ASSERT_EQ(std::memcmp(self.data(), ELFMAG, SELFMAG), 0);
  const auto [offset, size] = find_section(self, ".nv_fatbin");
  ASSERT_GT(size, 0u) << "no .nv_fatbin section: the CUDA kernels were not linked";
  const auto containers = fatbin_containers(self, offset, size);
  // One container per .cu file of kernels/cuda/ (runtime, launch, elementwise, matmul, sgemm, conv, pool, ...).
  EXPECT_GE(containers.size(), 8u);
  for (size_t i = 0; i < containers.size(); ++i) {
    std::map<uint16_t, std::vector<uint32_t>> archs;  // kind -> architectures
    for (const FatbinEntry& e : containers[i]) archs[e.kind].push_back(e.arch);
    EXPECT_NE(std::count(archs[kCubin].begin(), archs[kCubin].end(), 90u), 0)
        << "fat binary " << i << " has no sm_90 cubin (it would need a JIT compile on H100/H200)";
    EXPECT_FALSE(archs[kPtx].empty() && archs[kCubin].empty()) << "fat binary " << i << " is empty";
  }
#endif
}

}  // namespace
