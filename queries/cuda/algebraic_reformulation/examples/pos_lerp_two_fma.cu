// example: AdamW moments updated with lerp written as two FMAs in a helper the kernel calls. Positive.
__device__ __forceinline__ float lerp2(float start, float end, float w) { return fmaf(w, end, fmaf(-w, start, start)); }
__global__ void adamw_step(float* p, float* m, float* v, const float* g, float lr, float b1, float b2, float eps, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float mi = lerp2(g[i], m[i], b1);
    float vi = lerp2(g[i] * g[i], v[i], b2);
    m[i] = mi; v[i] = vi;
    p[i] -= lr * mi / (sqrtf(vi) + eps);
}
