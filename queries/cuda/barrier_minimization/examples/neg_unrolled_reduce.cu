// example: unrolled tree reduction: each uniform branch does one step of work and then waits at __syncthreads (compile-time unrolling); a thread-dependent guard elsewhere. Negative (near miss).
template <int BLOCK>
__global__ void reduce_unrolled(const float* x, float* out) {
    __shared__ float s[BLOCK];
    unsigned tid = threadIdx.x;
    s[tid] = x[blockIdx.x * BLOCK + tid];
    __syncthreads();
    if (BLOCK >= 512) { if (tid < 256) s[tid] += s[tid + 256]; __syncthreads(); }
    if (BLOCK >= 256) { if (tid < 128) s[tid] += s[tid + 128]; __syncthreads(); }
    if (BLOCK >= 128) { if (tid < 64) s[tid] += s[tid + 64]; __syncthreads(); }
    if (tid < 32) {
        for (int k = 32; k > 0; k >>= 1) s[tid] += s[tid + k];
    }
    if (tid == 0) out[blockIdx.x] = s[0];
}
void launch(const float* x, float* out, int blocks) { reduce_unrolled<256><<<blocks, 256>>>(x, out); }
