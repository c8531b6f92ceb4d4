// example: two loops call expf on different arrays; their locals share only the thread index, which is not a
// value being recomputed. Negative.
__global__ void damp_and_activate(const float* rates, const float* pre, float* act, float* damping, int n) {
    float prod = 0.0f;
    for (int k = 0; k < 4; ++k) {
        const int at = threadIdx.x * 4 + k;
        prod += expf(-rates[at]);
    }
    damping[threadIdx.x] = prod;
    for (int k = 0; k < 4; ++k) {
        const int slot = threadIdx.x * 4 + k;
        act[slot] = 1.0f / (1.0f + expf(-pre[slot]));
    }
}
