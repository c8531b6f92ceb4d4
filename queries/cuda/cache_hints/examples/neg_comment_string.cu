// example: __ldcs only in a comment and in a static_assert message; loads are plain. Negative (near miss).
__global__ void plain_copy(const float* __restrict__ x, float* __restrict__ y, int n) {
    static_assert(sizeof(float) == 4, "plain loads: no __ldcs / __stcs hints in this kernel");
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    // could use __ldcs(x + i) here since x is read once
    if (i < n) y[i] = x[i];
}
