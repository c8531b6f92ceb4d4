// example: llm.c-style blockReduce template helper: warp partials to shared, barrier, second warp reduce. Positive.
#define WARP_SIZE 32
__device__ float warpReduceMax(float v) {
    for (int offset = 16; offset > 0; offset /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, offset));
    return v;
}
using reduction_func_t = float (*)(float);
template <reduction_func_t warp_reduction>
__device__ inline float blockReduce(float val, bool final_sync = false, float out_of_bounds = 0.0f) {
    __shared__ float shared_val[WARP_SIZE];
    const int lane_id = threadIdx.x % WARP_SIZE;
    const int warp_id = threadIdx.x / WARP_SIZE;
    const int num_warps = blockDim.x / WARP_SIZE;
    float warp_val = warp_reduction(val);
    if (lane_id == 0) { shared_val[warp_id] = warp_val; }
    __syncthreads();
    warp_val = (lane_id < num_warps) ? shared_val[lane_id] : out_of_bounds;
    float block_val = warp_reduction(warp_val);
    if (final_sync) { __syncthreads(); }
    return block_val;
}
__global__ void row_max(const float* x, float* out, int C) {
    float m = -1e30f;
    for (int i = threadIdx.x; i < C; i += blockDim.x) m = fmaxf(m, x[blockIdx.x * C + i]);
    m = blockReduce<warpReduceMax>(m, false, -1e30f);
    if (threadIdx.x == 0) out[blockIdx.x] = m;
}
