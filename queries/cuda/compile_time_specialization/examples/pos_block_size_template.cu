// example: block size and a bool flag are non-type template parameters used for shared-memory size and a branch. Positive.
template <int BLOCK, bool ADD_BIAS>
__global__ void row_sum(const float* x, const float* bias, float* out, int n) {
    __shared__ float part[BLOCK];
    float acc = 0.f;
    for (int i = threadIdx.x; i < n; i += BLOCK) acc += x[blockIdx.x * n + i];
    part[threadIdx.x] = acc;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = ADD_BIAS ? part[0] + bias[blockIdx.x] : part[0];
}
void launch_row_sum(const float* x, const float* b, float* out, int rows, int n) {
    if (b) row_sum<256, true><<<rows, 256>>>(x, b, out, n);
    else row_sum<256, false><<<rows, 256>>>(x, b, out, n);
}
