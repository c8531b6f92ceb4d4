// example: each thread loads its 8-wide row into a register array once, then reads it again for the norm and for the scaled store. Positive.
#define W 8

__global__ void l2_normalise_rows(const float* in, float* out, int rows) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    float row[W];
    for (int c = 0; c < W; ++c) row[c] = in[r * W + c];
    float ss = 0.f;
    for (int c = 0; c < W; ++c) ss += row[c] * row[c];
    float inv = rsqrtf(ss + 1e-12f);
    for (int c = 0; c < W; ++c) out[r * W + c] = row[c] * inv;
}
