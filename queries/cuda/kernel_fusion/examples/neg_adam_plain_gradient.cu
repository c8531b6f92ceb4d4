// example: an Adam step that reads the gradient as it is (the learning rate is the only scale). Negative.

__global__ void adam_plain(float* w, float* m1, float* m2, const float* grad, float lr, float b1, float b2, float eps, long n) {
    long i = (long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float gr = grad[i];
    m1[i] = b1 * m1[i] + (1.f - b1) * gr;
    m2[i] = b2 * m2[i] + (1.f - b2) * gr * gr;
    w[i] -= lr * m1[i] / (sqrtf(m2[i]) + eps);
}
