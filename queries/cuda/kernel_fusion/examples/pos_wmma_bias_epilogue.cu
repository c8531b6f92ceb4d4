// example: a tensor-core tile product whose epilogue adds the bias before the store. Positive (matmul + bias).

#include <mma.h>
using namespace nvcuda;

__global__ void tile_gemm_bias(const half* a, const half* b, const float* bias, float* c, int n, int k) {
    __shared__ float tile[16 * 16];
    wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> fa;
    wmma::fragment<wmma::matrix_b, 16, 16, 16, half, wmma::col_major> fb;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
    wmma::fill_fragment(acc, 0.f);
    for (int kk = 0; kk < k; kk += 16) {
        wmma::load_matrix_sync(fa, a + blockIdx.y * 16 * k + kk, k);
        wmma::load_matrix_sync(fb, b + blockIdx.x * 16 * k + kk, k);
        wmma::mma_sync(acc, fa, fb, acc);
    }
    wmma::store_matrix_sync(tile, acc, 16, wmma::mem_row_major);
    for (int e = threadIdx.x; e < 256; e += blockDim.x) {
        int col = blockIdx.x * 16 + e % 16;
        c[(blockIdx.y * 16 + e / 16) * n + col] = tile[e] + bias[col];
    }
}
