// example: 8x8 per-thread output micro-tile with operand fragments in registers (template sizes). Positive.
template <int TM, int TN>
__global__ void sgemm_register_tile(const float* A, const float* B, float* C, int M, int N, int K) {
    float acc[TM][TN] = {};
    float a_frag[TM], b_frag[TN];
    int r0 = (blockIdx.y * blockDim.y + threadIdx.y) * TM, c0 = (blockIdx.x * blockDim.x + threadIdx.x) * TN;
    for (int k = 0; k < K; ++k) {
        #pragma unroll
        for (int i = 0; i < TM; ++i) a_frag[i] = A[(r0 + i) * K + k];
        #pragma unroll
        for (int j = 0; j < TN; ++j) b_frag[j] = B[k * N + c0 + j];
        #pragma unroll
        for (int i = 0; i < TM; ++i) {
            #pragma unroll
            for (int j = 0; j < TN; ++j) acc[i][j] += a_frag[i] * b_frag[j];
        }
    }
    for (int i = 0; i < TM; ++i)
        for (int j = 0; j < TN; ++j) C[(r0 + i) * N + c0 + j] = acc[i][j];
}
template __global__ void sgemm_register_tile<8, 8>(const float*, const float*, float*, int, int, int);
