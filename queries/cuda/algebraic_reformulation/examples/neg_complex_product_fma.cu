// example: complex multiply's real part re = ar * br - ai * bi as one FMA; the negated product shares no factor with the multiplier, so nothing is factored. Negative.
__global__ void cmul(const float2* a, const float2* b, float2* c, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float2 x = a[i], y = b[i];
    c[i] = make_float2(fmaf(x.x, y.x, -(x.y * y.y)), fmaf(x.x, y.y, x.y * y.x));
}
