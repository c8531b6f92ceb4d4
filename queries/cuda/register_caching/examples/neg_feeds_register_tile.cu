// example: hoisted operands only feed a 4x4 register tile: register blocking, not register caching. Negative.

__global__ void tile4x4(const float* A, const float* B, float* C, int n, int k) {
    float acc[4][4] = {};
    int r0 = (blockIdx.y * blockDim.y + threadIdx.y) * 4, c0 = (blockIdx.x * blockDim.x + threadIdx.x) * 4;
    for (int kk = 0; kk < k; ++kk) {
        float b0 = B[kk * n + c0], b1 = B[kk * n + c0 + 1], b2 = B[kk * n + c0 + 2], b3 = B[kk * n + c0 + 3];
        for (int i = 0; i < 4; ++i) {
            float a = A[(r0 + i) * k + kk];
            acc[i][0] += a * b0; acc[i][1] += a * b1; acc[i][2] += a * b2; acc[i][3] += a * b3;
        }
    }
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) C[(r0 + i) * n + c0 + j] = acc[i][j];
}
