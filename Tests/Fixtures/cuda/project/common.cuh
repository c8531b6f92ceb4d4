// Shared definitions of a small kernel code base: macros and type aliases used by every file.
#pragma once
#include <cuda_runtime.h>
#include <cuda_bf16.h>

#define FULL_MASK 0xffffffffu
#define LANES 32
#define DIV_UP(a, b) (((a) + (b) - 1) / (b))

using bf16 = __nv_bfloat16;

__device__ __forceinline__ float load_as_float(const bf16* p, int i) { return __bfloat162float(p[i]); }
