// example: the clamped value only decides an if around the load; the load itself stays guarded. Negative.
__global__ void guarded_tap(const float* __restrict__ x, float* __restrict__ y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int j = min(i + 1, n);
    float v = 0.f;
    if (j < n) v = __ldg(x + i + 1);
    if (i < n) y[i] = v;
}
