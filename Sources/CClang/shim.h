// libclang's stable C interface (Debian's libclang-dev, clang 14). Package.swift adds its include path.
#include <clang-c/Index.h>
#include <clang-c/CXString.h>
