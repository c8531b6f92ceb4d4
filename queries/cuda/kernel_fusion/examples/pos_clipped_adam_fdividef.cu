// example: gradient clipping scale applied inside an Adam step whose update is divided with __fdividef. Positive.
__global__ void clipped_adam(float* w, const float* grad, float* m, float* v, int n,
                             float coef, float lr, float b1, float b2, float eps) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float g = grad[i] * coef;
    float mi = b1 * m[i] + (1.f - b1) * g;
    float vi = b2 * v[i] + (1.f - b2) * g * g;
    m[i] = mi; v[i] = vi;
    w[i] -= lr * __fdividef(mi, sqrtf(vi) + eps);
}
