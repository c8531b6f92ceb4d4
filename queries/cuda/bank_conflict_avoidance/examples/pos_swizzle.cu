// example: an XOR swizzle of the column index in a shared tile read by columns. Positive.
__device__ __forceinline__ int swz(int row, int col) { return col ^ (row & 31); }

__global__ void column_sums(const float* x, float* out) {
    __shared__ float tile[32][32];
    for (int r = 0; r < 32; ++r) tile[r][threadIdx.x ^ (r & 31)] = x[(blockIdx.x * 32 + r) * 32 + threadIdx.x];
    __syncthreads();
    float s = 0.f;
    for (int r = 0; r < 32; ++r) s += tile[threadIdx.x][swz(threadIdx.x, r)];
    out[blockIdx.x * 32 + threadIdx.x] = s;
}
