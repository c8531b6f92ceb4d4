"""A small training helper that compiles its own CUDA at run time, three different ways."""
import torch
from torch.utils import cpp_extension as ext
import cupy as cp
import triton
import triton.language as tl
from triton import jit as tjit

RELU_SQ_SRC = r'''
#include <cuda_runtime.h>
__global__ void relu_sq_kernel(const float* __restrict__ x, float* __restrict__ y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { float v = x[i] > 0.f ? x[i] : 0.f; y[i] = v * v; }
}
void relu_sq(const float* x, float* y, int n, cudaStream_t s) {
    relu_sq_kernel<<<(n + 255) / 256, 256, 0, s>>>(x, y, n);
}
'''

HEADER = "#include <cuda_runtime.h>\n"
SOFTCAP_BODY = (
    "__global__ void softcap_kernel(float* logits, float cap, int n) {\n"
    "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
    "    if (i < n) logits[i] = cap * tanhf(logits[i] / cap);\n"
    "}\n"
)

relu_sq_module = ext.load_inline(
    name="relu_sq",
    cpp_sources="void relu_sq(const float*, float*, int, cudaStream_t);",
    cuda_sources=[RELU_SQ_SRC, HEADER + SOFTCAP_BODY],
    functions=["relu_sq"],
)

scale_kernel = cp.RawKernel("""
extern "C" __global__ void scale(float* x, float s, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] *= s;
}
""", "scale")


@triton.jit
def rms_norm_kernel(x_ptr, y_ptr, n_cols, eps, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + row * n_cols + offs, mask=offs < n_cols, other=0.0)
    y = x * tl.rsqrt(tl.sum(x * x, axis=0) / n_cols + eps)
    tl.store(y_ptr + row * n_cols + offs, y, mask=offs < n_cols)


@triton.autotune(configs=[], key=["n"])
@tjit
def add_kernel(a_ptr, b_ptr, n, BLOCK: tl.constexpr):
    pass


class Fused(torch.nn.Module):
    def forward(self, x):
        def helper(t):
            return t * 2
        return helper(x)


def not_a_kernel(x):
    return x
