// example: the loss-scale is undone on the gradient inside the Adam step. Positive (gradient scale + optimizer).

__global__ void adam_unscale(float* w, float* m1, float* m2, const float* grad, const float* inv_loss_scale,
                             float lr, float b1, float b2, float eps, long n) {
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const float unscale = inv_loss_scale[0];
    float gr = grad[i] * unscale;
    m1[i] = b1 * m1[i] + (1.f - b1) * gr;
    m2[i] = b2 * m2[i] + (1.f - b2) * gr * gr;
    w[i] -= lr * m1[i] / (sqrtf(m2[i]) + eps);
}
