#include "kernels/cuda/dynamic_library.cuh"

#include <dlfcn.h>

#include "tapeflow/error.h"

namespace tapeflow::kernels::cuda {

namespace {
std::string last_dl_error() {
  const char* message = dlerror();
  return message != nullptr ? message : "unknown reason";
}
}  // namespace

DynamicLibrary::DynamicLibrary(const char* library, const char* soname)
    : library_(library), soname_(soname), handle_(dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {
  if (handle_ == nullptr) {
    throw Error(library_ + " is needed on the GPU but " + soname_ + " could not be loaded (" + last_dl_error() +
                "): install it (CUDA toolkit or its nvidia-* Python wheel) and put its folder on LD_LIBRARY_PATH");
  }
}

void* DynamicLibrary::address_of(const char* symbol) const {
  dlerror();  // clear a stale message
  void* address = dlsym(handle_, symbol);
  if (address == nullptr) {
    throw Error(library_ + " (" + soname_ + ") has no " + symbol + " (" + last_dl_error() +
                "): expected the version tapeflow was built with");
  }
  return address;
}

}  // namespace tapeflow::kernels::cuda
