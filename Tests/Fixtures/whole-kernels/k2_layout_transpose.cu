/*
 * Layout kernels: batched 2-D transpose, NCHW -> NHWC, and [B,T,H,D] -> [B,H,T,D].
 * The host driver streams a large batch of matrices through the GPU in chunks.
 */
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cstdio>
#include <cstdint>
#include <vector>

#define CK(call)                                                                 \
  do {                                                                           \
    cudaError_t e_ = (call);                                                     \
    if (e_ != cudaSuccess) printf("CUDA %s @ %s:%d\n", cudaGetErrorString(e_),   \
                                  __FILE__, __LINE__);                           \
  } while (0)

/* out[b] = in[b]^T for a batch of rows x cols matrices (blockIdx.z = matrix).
 * Reads: a warp covers TILE_DIM consecutive floats of one input row.
 * Writes: after the shared-memory turn, a warp covers TILE_DIM consecutive
 * floats of one output row, so both global sides are coalesced.
 * The +1 column in the tile makes the column-wise smem reads hit 32 different
 * banks instead of one. */
template <int TILE_DIM, int BLOCK_ROWS>
__global__ void transpose_batched_padded(float* __restrict__ odata, const float* __restrict__ idata,
                                         int rows, int cols) {
  __shared__ float tile[TILE_DIM][TILE_DIM + 1];
  const size_t mat = (size_t)blockIdx.z * rows * cols;
  const float* in = idata + mat;
  float* out = odata + mat;

  int x = blockIdx.x * TILE_DIM + threadIdx.x;  // input column
  int y = blockIdx.y * TILE_DIM + threadIdx.y;  // input row
#pragma unroll
  for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS) {
    if (x < cols && (y + j) < rows) tile[threadIdx.y + j][threadIdx.x] = in[(size_t)(y + j) * cols + x];
  }
  __syncthreads();

  x = blockIdx.y * TILE_DIM + threadIdx.x;  // output column (= input row)
  y = blockIdx.x * TILE_DIM + threadIdx.y;  // output row    (= input column)
#pragma unroll
  for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS) {
    if (x < rows && (y + j) < cols) out[(size_t)(y + j) * rows + x] = tile[threadIdx.x][threadIdx.y + j];
  }
}

/* NCHW -> NHWC. Thread handles 4 consecutive channels of one pixel. */
__global__ void nchw_to_nhwc_c4(const float* in, float* out, int N, int C, int HW) {
  const int C4 = (C + 3) / 4;
  const long long total = (long long)N * HW * C4;
  const long long t = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= total) return;
  const int c4 = (int)(t % C4);
  const long long pix = t / C4;  // n * HW + hw
  const int n = (int)(pix / HW);
  const int hw = (int)(pix % HW);
  const int c = c4 * 4;

  const float* src = in + ((size_t)n * C + c) * HW + hw;
  float4 v;
  v.x = src[0];
  v.y = (c + 1 < C) ? src[(size_t)HW] : 0.f;
  v.z = (c + 2 < C) ? src[(size_t)2 * HW] : 0.f;
  v.w = (c + 3 < C) ? src[(size_t)3 * HW] : 0.f;

  // NHWC row start (pix * C) is only 16B aligned when C % 4 == 0, so the four
  // channels are written one by one.
  float* dst = out + (size_t)pix * C + c;
  dst[0] = v.x;
  if (c + 1 < C) dst[1] = v.y;
  if (c + 2 < C) dst[2] = v.z;
  if (c + 3 < C) dst[3] = v.w;
}

/* [B, T, H, D] -> [B, H, T, D] for fp16 activations, D % 8 == 0.
 * Each thread moves one 16-byte packet (8 halves); consecutive threads move
 * consecutive packets of the same D-row on both sides, so reads and writes are
 * contiguous per warp. */
__global__ void permute_bthd_to_bhtd_f16(const half* __restrict__ src_, half* __restrict__ dst_,
                                         int B, int T, int H, int D) {
  const half* src = static_cast<const half*>(__builtin_assume_aligned(src_, 16));
  half* dst = static_cast<half*>(__builtin_assume_aligned(dst_, 16));
  const int packets_per_row = D / 8;
  const size_t total = (size_t)B * T * H * packets_per_row;
  for (size_t p = (size_t)blockIdx.x * blockDim.x + threadIdx.x; p < total;
       p += (size_t)gridDim.x * blockDim.x) {
    const int pk = (int)(p % packets_per_row);
    size_t r = p / packets_per_row;  // ((b*T + t)*H + h)
    const int h = (int)(r % H); r /= H;
    const int t = (int)(r % T);
    const int b = (int)(r / T);
    const uint4 val = reinterpret_cast<const uint4*>(src)[p];
    const size_t o = (((size_t)b * H + h) * T + t) * packets_per_row + pk;
    reinterpret_cast<uint4*>(dst)[o] = val;
  }
}

/* Transpose `batch` host matrices, CHUNK at a time, ping-ponging two streams so
 * the H2D copy of chunk i+1 and the D2H copy of chunk i-1 run under the kernel of
 * chunk i. Host buffers must be pinned (cudaHostAlloc). */
void transpose_host_batch(const float* h_in, float* h_out, int batch, int rows, int cols) {
  constexpr int TILE = 32, ROWS = 8, CHUNK = 16, NSTREAMS = 2;
  const size_t mat_elems = (size_t)rows * cols;
  cudaStream_t streams[NSTREAMS];
  float* d_in[NSTREAMS];
  float* d_out[NSTREAMS];
  for (int s = 0; s < NSTREAMS; ++s) {
    CK(cudaStreamCreateWithFlags(&streams[s], cudaStreamNonBlocking));
    CK(cudaMalloc(&d_in[s], CHUNK * mat_elems * sizeof(float)));
    CK(cudaMalloc(&d_out[s], CHUNK * mat_elems * sizeof(float)));
  }
  const dim3 block(TILE, ROWS);
  for (int first = 0, it = 0; first < batch; first += CHUNK, ++it) {
    const int s = it % NSTREAMS;
    const int nb = (batch - first) < CHUNK ? (batch - first) : CHUNK;
    const size_t bytes = nb * mat_elems * sizeof(float);
    CK(cudaMemcpyAsync(d_in[s], h_in + first * mat_elems, bytes, cudaMemcpyHostToDevice, streams[s]));
    const dim3 grid((cols + TILE - 1) / TILE, (rows + TILE - 1) / TILE, nb);
    transpose_batched_padded<TILE, ROWS><<<grid, block, 0, streams[s]>>>(d_out[s], d_in[s], rows, cols);
    CK(cudaMemcpyAsync(h_out + first * mat_elems, d_out[s], bytes, cudaMemcpyDeviceToHost, streams[s]));
  }
  for (int s = 0; s < NSTREAMS; ++s) {
    CK(cudaStreamSynchronize(streams[s]));
    CK(cudaFree(d_in[s]));
    CK(cudaFree(d_out[s]));
    CK(cudaStreamDestroy(streams[s]));
  }
}

void nchw_to_nhwc(const float* in, float* out, int N, int C, int HW, cudaStream_t s) {
  const long long total = (long long)N * HW * ((C + 3) / 4);
  nchw_to_nhwc_c4<<<(unsigned)((total + 255) / 256), 256, 0, s>>>(in, out, N, C, HW);
}

void permute_0213_f16(const half* src, half* dst, int B, int T, int H, int D, cudaStream_t s) {
  const size_t total = (size_t)B * T * H * (D / 8);
  const unsigned blocks = (unsigned)((total + 255) / 256 < 65535 ? (total + 255) / 256 : 65535);
  permute_bthd_to_bhtd_f16<<<blocks, 256, 0, s>>>(src, dst, B, T, H, D);
}
