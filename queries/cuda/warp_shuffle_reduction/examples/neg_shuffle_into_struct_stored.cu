// example: lanes shuffle values into a struct that is only written out, never combined with the lane's own values (a transpose of lanes, no reduction); negative.

struct Pair { float m; float s; };

__global__ void rotate_lanes(const Pair* __restrict__ in, Pair* __restrict__ out) {
    Pair p = in[blockIdx.x * blockDim.x + threadIdx.x];
    Pair moved{ __shfl_xor_sync(0xffffffffu, p.m, 1), __shfl_xor_sync(0xffffffffu, p.s, 1) };
    out[blockIdx.x * blockDim.x + threadIdx.x] = moved;
}
