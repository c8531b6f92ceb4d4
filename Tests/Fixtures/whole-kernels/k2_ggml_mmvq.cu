// ggml-style quantized mat-vec: q4_0 weights x q8_1 activations.
// Layout follows the ggml block formats (32 values per quant block).

#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cstdint>
#include <cstdio>

#define GGML_RESTRICT __restrict__
#define WARP_SIZE 32
#define QK4_0 32
#define QR4_0 2
#define QI4_0 (QK4_0 / (4 * QR4_0))
#define QK8_1 32
#define QI8_1 (QK8_1 / 4)
#define CUDA_QUANTIZE_BLOCK_SIZE 256
#define MMVQ_MAX_BATCH_SIZE 8

typedef struct {
    half    d;              // delta
    uint8_t qs[QK4_0 / 2];  // nibbles / quants
} block_q4_0;

typedef struct {
    half2  ds;              // ds.x = delta, ds.y = sum
    int8_t qs[QK8_1];       // quants
} block_q8_1;

static __device__ __forceinline__ float warp_reduce_sum(float x) {
#pragma unroll
    for (int mask = 16; mask > 0; mask >>= 1) {
        x += __shfl_xor_sync(0xffffffff, x, mask, 32);
    }
    return x;
}

static __device__ __forceinline__ float warp_reduce_max(float x) {
#pragma unroll
    for (int mask = 16; mask > 0; mask >>= 1) {
        x = fmaxf(x, __shfl_xor_sync(0xffffffff, x, mask, 32));
    }
    return x;
}

static __device__ __forceinline__ int get_int_from_uint8(const uint8_t * x8, const int & i32) {
    const uint16_t * x16 = (const uint16_t *) (x8 + sizeof(int) * i32); // assume at least 2 byte alignment
    int x32 = 0;
    x32 |= x16[0] <<  0;
    x32 |= x16[1] << 16;
    return x32;
}

static __device__ __forceinline__ int get_int_from_int8_aligned(const int8_t * x8, const int & i32) {
    return *((const int *) (x8 + sizeof(int) * i32));
}

// vi: 8 packed nibbles of the q4_0 block (already in a register), d4: its scale
static __device__ __forceinline__ float vec_dot_q4_0_q8_1(
    const int vi, const float d4, const block_q8_1 * GGML_RESTRICT bq8_1, const int & iqs) {
    const int u0 = get_int_from_int8_aligned(bq8_1->qs, iqs);
    const int u1 = get_int_from_int8_aligned(bq8_1->qs, iqs + QI4_0);

    const int vi0 = (vi >> 0) & 0x0F0F0F0F;
    const int vi1 = (vi >> 4) & 0x0F0F0F0F;

    int sumi = __dp4a(vi0, u0, 0);
    sumi     = __dp4a(vi1, u1, sumi);

    const float2 ds8 = __half22float2(bq8_1->ds);
    // second part effectively subtracts 8 from each quant value (8 of 32 values per call)
    return d4 * (sumi * ds8.x - (8.0f / QI4_0) * ds8.y);
}

// one thread per value, one warp per q8_1 block
static __global__ void quantize_q8_1(const float * GGML_RESTRICT x, void * GGML_RESTRICT vy,
                                     const int64_t kx, const int64_t kx0_padded) {
    const int64_t ix0 = (int64_t)blockDim.x * blockIdx.x + threadIdx.x;
    if (ix0 >= kx0_padded) {
        return;
    }
    const int64_t ix1 = blockIdx.y;
    const int64_t i_padded = ix1 * kx0_padded + ix0;

    block_q8_1 * y = (block_q8_1 *) vy;
    const int64_t ib  = i_padded / QK8_1;
    const int64_t iqs = i_padded % QK8_1;

    const float xi = ix0 < kx ? x[ix1 * kx + ix0] : 0.0f;
    float amax = fabsf(xi);
    float sum  = xi;

    amax = warp_reduce_max(amax);
    sum  = warp_reduce_sum(sum);

    const float d = amax / 127;
    const int8_t q = amax == 0.0f ? 0 : roundf(xi / d);

    y[ib].qs[iqs] = q;
    if (iqs > 0) {
        return;
    }
    // pack (d, sum) into the half2 header of the block
    y[ib].ds = make_half2(__float2half(d), __float2half(sum));
}

template <int ncols_y, int nwarps>
__launch_bounds__(nwarps * WARP_SIZE)
static __global__ void mul_mat_vec_q4_0_q8_1(
    const void * GGML_RESTRICT vx, const void * GGML_RESTRICT vy, float * GGML_RESTRICT dst,
    const int ncols_x, const int nrows_x, const int nrows_y, const int nrows_dst) {

    constexpr int qk  = QK4_0;
    constexpr int qi  = QI4_0;
    constexpr int vdr = 1;  // ints of q4 consumed per vec_dot call (1 int of q4 -> 2 ints of q8)
    constexpr int blocks_per_iter = vdr * nwarps * WARP_SIZE / qi;

    const int tid = WARP_SIZE * threadIdx.y + threadIdx.x;
    const int row = blockIdx.x;
    if (row >= nrows_x) {
        return;
    }

    const int blocks_per_row_x = ncols_x / qk;
    const int blocks_per_col_y = nrows_y / QK8_1;

    const block_q4_0 * x = (const block_q4_0 *) vx;
    const block_q8_1 * y = (const block_q8_1 *) vy;

    // partial sum for each thread, one per y column
    float tmp[ncols_y] = {0.0f};

    for (int kbx = tid / (qi / vdr); kbx < blocks_per_row_x; kbx += blocks_per_iter) {
        const int kby = kbx * (qk / QK8_1);
        const int kqs = vdr * (tid % (qi / vdr));

        // weight quants + scale loaded once, reused for every y column
        const block_q4_0 * bx = &x[row * blocks_per_row_x + kbx];
        const int   vi = get_int_from_uint8(bx->qs, kqs);
        const float d4 = __half2float(bx->d);

#pragma unroll
        for (int j = 0; j < ncols_y; ++j) {
            tmp[j] += vec_dot_q4_0_q8_1(vi, d4, &y[j * blocks_per_col_y + kby], kqs);
        }
    }

    __shared__ float tmp_shared[nwarps - 1 > 0 ? nwarps - 1 : 1][ncols_y][WARP_SIZE];
    if (threadIdx.y > 0) {
#pragma unroll
        for (int j = 0; j < ncols_y; ++j) {
            tmp_shared[threadIdx.y - 1][j][threadIdx.x] = tmp[j];
        }
    }
    __syncthreads();
    if (threadIdx.y > 0) {
        return;
    }

    // sum up partial sums and write back result
#pragma unroll
    for (int j = 0; j < ncols_y; ++j) {
#pragma unroll
        for (int i = 0; i < nwarps - 1; ++i) {
            tmp[j] += tmp_shared[i][j][threadIdx.x];
        }
        tmp[j] = warp_reduce_sum(tmp[j]);

        if (threadIdx.x == 0) {
            dst[j * nrows_dst + row] = tmp[j];
        }
    }
}

template <int ncols_y>
static void launch_mmvq_q4_0(const void * vx, const void * vy, float * dst, int ncols_x, int nrows_x,
                             int nrows_y, int nrows_dst, cudaStream_t stream) {
    constexpr int nwarps = ncols_y <= 4 ? 4 : 2;
    const dim3 block_nums(nrows_x, 1, 1);
    const dim3 block_dims(WARP_SIZE, nwarps, 1);
    mul_mat_vec_q4_0_q8_1<ncols_y, nwarps><<<block_nums, block_dims, 0, stream>>>(
        vx, vy, dst, ncols_x, nrows_x, nrows_y, nrows_dst);
}

void ggml_cuda_op_mul_mat_vec_q4_0(const void * vx, const float * src1, void * src1_q8, float * dst,
                                   int64_t ne00, int64_t row_diff, int64_t src1_ncols,
                                   int64_t src1_padded_row_size, int64_t nrows_dst, cudaStream_t stream) {
    // quantize activations
    const int64_t block_num_x = (src1_padded_row_size + CUDA_QUANTIZE_BLOCK_SIZE - 1) / CUDA_QUANTIZE_BLOCK_SIZE;
    const dim3 num_blocks(block_num_x, src1_ncols, 1);
    quantize_q8_1<<<num_blocks, CUDA_QUANTIZE_BLOCK_SIZE, 0, stream>>>(src1, src1_q8, ne00, src1_padded_row_size);

    // all work is queued on the caller's stream, in order
    switch (src1_ncols) {
        case 1: launch_mmvq_q4_0<1>(vx, src1_q8, dst, ne00, row_diff, src1_padded_row_size, nrows_dst, stream); break;
        case 2: launch_mmvq_q4_0<2>(vx, src1_q8, dst, ne00, row_diff, src1_padded_row_size, nrows_dst, stream); break;
        case 4: launch_mmvq_q4_0<4>(vx, src1_q8, dst, ne00, row_diff, src1_padded_row_size, nrows_dst, stream); break;
        case 8: launch_mmvq_q4_0<8>(vx, src1_q8, dst, ne00, row_diff, src1_padded_row_size, nrows_dst, stream); break;
        default:
            fprintf(stderr, "mmvq: unsupported ncols %lld\n", (long long) src1_ncols);
            break;
    }
}
