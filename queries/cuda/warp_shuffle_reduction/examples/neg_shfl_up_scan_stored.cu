// example: an inclusive warp scan: each step stores the value shuffled up from d lanes below and adds it when lane >= d; a prefix sum, not a reduction; negative.

__global__ void warp_scan(const unsigned* __restrict__ in, unsigned* __restrict__ out) {
    const int lane = threadIdx.x & 31;
    unsigned v = in[blockIdx.x * blockDim.x + threadIdx.x];
    for (int d = 1; d < 32; d <<= 1) {
        unsigned t = __shfl_up_sync(0xffffffffu, v, d);
        if (lane >= d) v += t;
    }
    out[blockIdx.x * blockDim.x + threadIdx.x] = v;
}
