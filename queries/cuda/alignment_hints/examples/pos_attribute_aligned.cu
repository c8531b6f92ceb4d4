// example: GNU attribute form: a register-resident table declared __attribute__((aligned(16))). Positive.
__global__ void lut_apply(const int* idx, float* y, int n) {
    __attribute__((aligned(16))) float table[8] = {0.f, 1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f};
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = table[idx[i] & 7];
}
