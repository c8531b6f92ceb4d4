// example: the comment claims the backward walk keeps lines in L2, but nothing reads the data again afterwards. Negative.
__global__ void suffix_scan(const float* x, float* y, int n) {
    float acc = 0.f;
    // walk backwards so the next pass starts on lines still in L2 cache (locality)
    for (int i = n - 1; i >= 0; --i) { acc += x[blockIdx.x * n + i]; y[blockIdx.x * n + i] = acc; }
}
