#pragma once
// A CUDA library (cuBLAS, cuDNN) opened with dlopen the first time a GPU path needs it, as TensorFlow's
// dso_loader does, instead of being linked: a process that never touches a GPU never maps it. Linked,
// libcublasLt alone cost every CPU run ~150 MB of resident memory at start-up (its relocated data and a
// .bss that its static initialisers touch), and a machine without the libraries could not start at all.
// The library stays open for the life of the process (handles made from it are never destroyed).
#include <string>

namespace tapeflow::kernels::cuda {

class DynamicLibrary {
 public:
  // Opens `soname` (found as the dynamic loader finds any library: LD_LIBRARY_PATH, ld.so.cache, ...).
  // Throws tapeflow::Error naming `library` and `soname` when it cannot be opened.
  DynamicLibrary(const char* library, const char* soname);

  // Sets `entry_point` to the address of `symbol`; throws when the library lacks it.
  template <typename Function>
  void resolve(Function*& entry_point, const char* symbol) const {
    entry_point = reinterpret_cast<Function*>(address_of(symbol));
  }

 private:
  void* address_of(const char* symbol) const;

  std::string library_;
  std::string soname_;
  void* handle_;
};

}  // namespace tapeflow::kernels::cuda

// "libcublas.so." TAPEFLOW_SONAME_VERSION(CUBLAS_VER_MAJOR) spells the soname of the headers' major version.
#define TAPEFLOW_SONAME_VERSION(major) TAPEFLOW_SONAME_VERSION_TEXT(major)
#define TAPEFLOW_SONAME_VERSION_TEXT(major) #major
