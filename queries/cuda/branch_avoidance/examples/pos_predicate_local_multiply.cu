// example: the keep test is stored in a local and applied as a multiply instead of an if. Positive.
__global__ void mask_scale(const float* x, const unsigned* r, float* y, unsigned thr, float inv, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const bool keep = r[i] < thr;
    y[i] = x[i] * static_cast<float>(keep) * inv;
}
