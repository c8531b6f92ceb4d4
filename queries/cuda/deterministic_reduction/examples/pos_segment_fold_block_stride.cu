// example: per-chunk squared-norm partials, then one block per segment folds its chunk partials with a block-stride
// loop (read through a local float2) and a shared-memory tree; no float atomics. Positive (on both kernels).
__global__ void chunk_norms(const float* v, float2* parts, int n) {
    __shared__ float2 red[128];
    float a = 0.0f, b = 0.0f;
    for (int i = blockIdx.x * 128 + threadIdx.x; i < n; i += 128 * gridDim.x) { a += v[i]; b += v[i] * v[i]; }
    red[threadIdx.x] = make_float2(a, b);
    __syncthreads();
    for (int k = 64; k > 0; k >>= 1) {
        if (threadIdx.x < k) { red[threadIdx.x].x += red[threadIdx.x + k].x; red[threadIdx.x].y += red[threadIdx.x + k].y; }
        __syncthreads();
    }
    if (threadIdx.x == 0) parts[blockIdx.x] = red[0];
}
__global__ void fold_segments(const float2* parts, const int* seg, float* out) {
    __shared__ float red[128];
    float acc = 0.0f;
    for (int c = seg[blockIdx.x] + threadIdx.x; c < seg[blockIdx.x + 1]; c += blockDim.x) {
        const float2 q = parts[c];
        acc += q.y;
    }
    red[threadIdx.x] = acc;
    __syncthreads();
    for (int k = 64; k > 0; k >>= 1) {
        if (threadIdx.x < k) red[threadIdx.x] += red[threadIdx.x + k];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[blockIdx.x] = red[0];
}
void norms(const float* v, float2* parts, const int* seg, float* out, int n, int chunks, int segments, Ctx& ctx) {
    chunk_norms<<<chunks, 128, 0, ctx.stream()>>>(v, parts, n);
    fold_segments<<<segments, 128, 0, ctx.stream()>>>(parts, seg, out);
}
