// example: two loops call expf on unrelated quantities (decay of one array, activation of another). Negative.
__global__ void two_exps(const float* a, const float* b, float* out, float* decay, int n) {
    float acc = 0.f;
    for (int i = 0; i < n; ++i) acc += expf(-a[i]);
    decay[blockIdx.x] = acc;
    for (int j = threadIdx.x; j < n; j += blockDim.x) out[j] = 1.f / (1.f + expf(-b[j]));
}
