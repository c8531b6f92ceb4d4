// example: reduction scratch double-buffered (buf[phase] with phase ^= 1) so each step needs one barrier instead of two. Positive.
#define NW 8
__global__ void running_sums(const float* x, float* out, int steps) {
    __shared__ float buf[2][NW];
    int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    int phase = 0;
    for (int s = 0; s < steps; ++s) {
        float v = x[(s * gridDim.x + blockIdx.x) * blockDim.x + threadIdx.x];
        for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffff, v, o);
        if (lane == 0) buf[phase][warp] = v;
        __syncthreads();
        if (threadIdx.x == 0) {
            float t = 0.0f;
            for (int w = 0; w < NW; ++w) t += buf[phase][w];
            out[s * gridDim.x + blockIdx.x] = t;
        }
        phase ^= 1;
    }
}
