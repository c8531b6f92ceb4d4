// k4_modern_pipelined_gemm.cu
//
// bf16 GEMM  C[M,N] = act(A[M,K] * B[K,N] + bias[N]) (+ residual[M,N]), sm_80+.
// Multi-stage cuda::pipeline mainloop into skewed shared-memory tiles, register-blocked fp32
// accumulators, and an optional split-K path whose partials are reduced in a fixed order so the
// result does not depend on CTA scheduling.

#include <cuda/barrier>
#include <cuda/pipeline>
#include <cuda/std/array>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#define K4_CUDA_CHECK(expr)                                                          \
  do {                                                                               \
    cudaError_t k4_err_ = (expr);                                                    \
    if (k4_err_ != cudaSuccess) {                                                    \
      std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr,      \
                   cudaGetErrorString(k4_err_));                                     \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)

#define K4_KERNEL_BOUNDS(threads) __launch_bounds__(threads)

namespace k4 {

using bf16 = __nv_bfloat16;
using bf162 = __nv_bfloat162;

enum class Epilogue : int { kIdentity, kGelu };

template <int BM_, int BN_, int BK_, int WM_, int WN_, int kStages_>
struct GemmTileConfig {
  static constexpr int BM = BM_;
  static constexpr int BN = BN_;
  static constexpr int BK = BK_;
  static constexpr int WM = WM_;
  static constexpr int WN = WN_;
  static constexpr int kStages = kStages_;

  static constexpr int kWarpsM = BM / WM;
  static constexpr int kWarpsN = BN / WN;
  static constexpr int kThreads = 32 * kWarpsM * kWarpsN;

  // A warp covers its WM x WN tile with a 4 x 8 lane grid; each thread owns TM x TN outputs.
  static constexpr int TM = WM / 4;
  static constexpr int TN = WN / 8;

  // Rows are skewed by 8 bf16 (16 B). A fragments are read down a column by the four lane rows
  // (rows r, r+1, r+2, r+3); with a 64 B pitch those fall on two banks, with 80 B on four.
  static constexpr int kSkew = 8;
  static constexpr int kLdA = BK + kSkew;
  static constexpr int kLdB = BN + kSkew;

  static constexpr int kStageElemsA = BM * kLdA;
  static constexpr int kStageElemsB = BK * kLdB;
  static constexpr size_t kSmemBytes =
      size_t(kStages) * (kStageElemsA + kStageElemsB) * sizeof(bf16);

  static constexpr int kChunk = 16 / int(sizeof(bf16));
  static constexpr int kChunksPerRowA = BK / kChunk;
  static constexpr int kChunksPerRowB = BN / kChunk;
  static constexpr int kCopiesA = BM * kChunksPerRowA / kThreads;
  static constexpr int kCopiesB = BK * kChunksPerRowB / kThreads;

  static_assert(BM % WM == 0 && BN % WN == 0, "warp tile must divide the CTA tile");
  static_assert(WM % 4 == 0 && WN % 8 == 0, "warp tile must split over a 4x8 lane grid");
  static_assert(TN % 2 == 0, "epilogue works on bf16 pairs");
  static_assert((BM * kChunksPerRowA) % kThreads == 0 && (BK * kChunksPerRowB) % kThreads == 0,
                "every thread issues the same number of 16 B copies");
  static_assert((kLdA * sizeof(bf16)) % 16 == 0 && (kLdB * sizeof(bf16)) % 16 == 0,
                "skewed rows must keep 16 B alignment for memcpy_async");
};

using DefaultTile = GemmTileConfig<128, 128, 32, 64, 32, 4>;

template <Epilogue kEpi>
__device__ __forceinline__ float activate(float x) {
  if constexpr (kEpi == Epilogue::kGelu) {
    // sigmoid form of GELU: x * sigmoid(1.702 x)
    return __fdividef(x, 1.0f + __expf(-1.702f * x));
  } else {
    return x;
  }
}

template <class Cfg, Epilogue kEpi, bool kResidual, bool kSplitK>
__global__ void K4_KERNEL_BOUNDS(Cfg::kThreads)
gemm_bf16_pipelined_kernel(const bf16* __restrict__ A, const bf16* __restrict__ B,
                           const bf16* __restrict__ bias, const bf16* __restrict__ residual,
                           bf16* __restrict__ C, float* __restrict__ splitk_ws, int M, int N,
                           int K, int k_tiles_per_split) {
  extern __shared__ __align__(16) unsigned char smem_raw[];
  bf16* sA = reinterpret_cast<bf16*>(smem_raw);
  bf16* sB = sA + Cfg::kStages * Cfg::kStageElemsA;

  const int tid = threadIdx.x;
  const int warp = tid / 32, lane = tid % 32;
  const int warp_m = warp / Cfg::kWarpsN, warp_n = warp % Cfg::kWarpsN;
  const int lane_m = lane / 8, lane_n = lane % 8;

  const int block_row = blockIdx.y * Cfg::BM, block_col = blockIdx.x * Cfg::BN;

  const int k_tiles_total = K / Cfg::BK;
  const int kt_begin = kSplitK ? int(blockIdx.z) * k_tiles_per_split : 0;
  const int num_k_tiles =
      kSplitK ? max(min(k_tiles_per_split, k_tiles_total - kt_begin), 0) : k_tiles_total;

  cuda::pipeline<cuda::thread_scope_thread> pipe = cuda::make_pipeline();

  // Consecutive threads take consecutive 16 B chunks of a tile row, so every warp-wide batch of
  // copies reads whole contiguous row segments of A and B (coalesced).
  auto load_stage = [&](int stage, int kt) {
    bf16* dA = sA + stage * Cfg::kStageElemsA;
    bf16* dB = sB + stage * Cfg::kStageElemsB;
    const bf16* gA = A + size_t(block_row) * K + size_t(kt) * Cfg::BK;
    const bf16* gB = B + size_t(kt) * Cfg::BK * N + block_col;
#pragma unroll
    for (int i = 0; i < Cfg::kCopiesA; ++i) {
      const int c = tid + i * Cfg::kThreads;
      const int r = c / Cfg::kChunksPerRowA;
      const int col = (c % Cfg::kChunksPerRowA) * Cfg::kChunk;
      cuda::memcpy_async(dA + r * Cfg::kLdA + col, gA + size_t(r) * K + col,
                         cuda::aligned_size_t<16>(16), pipe);
    }
#pragma unroll
    for (int i = 0; i < Cfg::kCopiesB; ++i) {
      const int c = tid + i * Cfg::kThreads;
      const int r = c / Cfg::kChunksPerRowB;
      const int col = (c % Cfg::kChunksPerRowB) * Cfg::kChunk;
      cuda::memcpy_async(dB + r * Cfg::kLdB + col, gB + size_t(r) * N + col,
                         cuda::aligned_size_t<16>(16), pipe);
    }
  };

#pragma unroll
  for (int s = 0; s < Cfg::kStages; ++s) {
    pipe.producer_acquire();
    if (s < num_k_tiles) load_stage(s, kt_begin + s);
    pipe.producer_commit();
  }

  float acc[Cfg::TM][Cfg::TN] = {};

  const int a_row0 = warp_m * Cfg::WM + lane_m;
  const int b_col0 = warp_n * Cfg::WN + lane_n * Cfg::TN;

  for (int t = 0; t < num_k_tiles; ++t) {
    const int stage = t % Cfg::kStages;
    pipe.consumer_wait();
    __syncthreads();

    const bf16* tA = sA + stage * Cfg::kStageElemsA;
    const bf16* tB = sB + stage * Cfg::kStageElemsB;
#pragma unroll
    for (int kk = 0; kk < Cfg::BK; ++kk) {
      float a_frag[Cfg::TM];
      float b_frag[Cfg::TN];
#pragma unroll
      for (int i = 0; i < Cfg::TM; ++i)
        a_frag[i] = __bfloat162float(tA[(a_row0 + i * 4) * Cfg::kLdA + kk]);
#pragma unroll
      for (int j = 0; j < Cfg::TN; j += 2) {
        const float2 b2 =
            __bfloat1622float2(*reinterpret_cast<const bf162*>(tB + kk * Cfg::kLdB + b_col0 + j));
        b_frag[j] = b2.x;
        b_frag[j + 1] = b2.y;
      }
#pragma unroll
      for (int i = 0; i < Cfg::TM; ++i)
#pragma unroll
        for (int j = 0; j < Cfg::TN; ++j) acc[i][j] = fmaf(a_frag[i], b_frag[j], acc[i][j]);
    }

    __syncthreads();
    pipe.consumer_release();

    const int next = t + Cfg::kStages;
    pipe.producer_acquire();
    if (next < num_k_tiles) load_stage(stage, kt_begin + next);
    pipe.producer_commit();
  }

  const int col0 = block_col + b_col0;
  if constexpr (kSplitK) {
    float* ws = splitk_ws + size_t(blockIdx.z) * M * N;
#pragma unroll
    for (int i = 0; i < Cfg::TM; ++i) {
      const int row = block_row + a_row0 + i * 4;
#pragma unroll
      for (int j = 0; j < Cfg::TN; j += 2)
        *reinterpret_cast<float2*>(ws + size_t(row) * N + col0 + j) =
            make_float2(acc[i][j], acc[i][j + 1]);
    }
  } else {
    // bias is the same for all TM rows of this thread: load it once
    cuda::std::array<float2, Cfg::TN / 2> bias_r;
#pragma unroll
    for (int j = 0; j < Cfg::TN / 2; ++j)
      bias_r[j] = __bfloat1622float2(*reinterpret_cast<const bf162*>(bias + col0 + 2 * j));

#pragma unroll
    for (int i = 0; i < Cfg::TM; ++i) {
      const size_t row_off = size_t(block_row + a_row0 + i * 4) * N;
#pragma unroll
      for (int j = 0; j < Cfg::TN / 2; ++j) {
        bf162 out = __floats2bfloat162_rn(activate<kEpi>(acc[i][2 * j] + bias_r[j].x),
                                          activate<kEpi>(acc[i][2 * j + 1] + bias_r[j].y));
        if constexpr (kResidual)
          out = __hadd2(out, *reinterpret_cast<const bf162*>(residual + row_off + col0 + 2 * j));
        *reinterpret_cast<bf162*>(C + row_off + col0 + 2 * j) = out;
      }
    }
  }
}

template <Epilogue kEpi, bool kResidual>
__global__ void K4_KERNEL_BOUNDS(256)
splitk_reduce_epilogue_kernel(const float* __restrict__ ws, const bf16* __restrict__ bias,
                              const bf16* __restrict__ residual, bf16* __restrict__ C, int M,
                              int N, int splits) {
  const size_t plane = size_t(M) * N;
  const size_t pairs = plane / 2;
  for (size_t p = size_t(blockIdx.x) * blockDim.x + threadIdx.x; p < pairs;
       p += size_t(gridDim.x) * blockDim.x) {
    const size_t idx = 2 * p;
    const int col = int(idx % N);
    float2 sum = make_float2(0.0f, 0.0f);
    // One thread walks the splits in ascending order and no float atomics are involved, so the
    // output is bit-identical from run to run. splits is small (2..16); keep the loop rolled.
#pragma unroll 1
    for (int s = 0; s < splits; ++s) {
      const float2 v = *reinterpret_cast<const float2*>(ws + s * plane + idx);
      sum.x += v.x;
      sum.y += v.y;
    }
    const float2 b = __bfloat1622float2(*reinterpret_cast<const bf162*>(bias + col));
    bf162 out = __floats2bfloat162_rn(activate<kEpi>(sum.x + b.x), activate<kEpi>(sum.y + b.y));
    if constexpr (kResidual) out = __hadd2(out, *reinterpret_cast<const bf162*>(residual + idx));
    *reinterpret_cast<bf162*>(C + idx) = out;
  }
}

// Framework weights arrive as fp32 [N, K]; the GEMM wants bf16 [K, N].
template <int kTile, int kRowsPerPass>
__global__ void K4_KERNEL_BOUNDS(kTile * kRowsPerPass)
transpose_to_bf16_kernel(const float* __restrict__ src, bf16* __restrict__ dst, int rows,
                         int cols) {
  // +1 column: the transposed read tile[tx][r] walks a column, padding spreads it over all banks
  __shared__ float tile[kTile][kTile + 1];
  const int bx = blockIdx.x * kTile, by = blockIdx.y * kTile;
  const int tx = threadIdx.x, ty = threadIdx.y;

  // threadIdx.x runs along the contiguous dimension on both sides: coalesced read and write
#pragma unroll
  for (int r = ty; r < kTile; r += kRowsPerPass) {
    const int gr = by + r, gc = bx + tx;
    if (gr < rows && gc < cols) tile[r][tx] = src[size_t(gr) * cols + gc];
  }
  __syncthreads();
#pragma unroll
  for (int r = ty; r < kTile; r += kRowsPerPass) {
    const int gr = bx + r, gc = by + tx;
    if (gr < cols && gc < rows) dst[size_t(gr) * rows + gc] = __float2bfloat16(tile[tx][r]);
  }
}

// ------------------------------------------------------------------------------------------
// host side

class CudaStream {
 public:
  explicit CudaStream(unsigned flags = cudaStreamNonBlocking) {
    K4_CUDA_CHECK(cudaStreamCreateWithFlags(&s_, flags));
  }
  ~CudaStream() { if (s_) cudaStreamDestroy(s_); }
  CudaStream(const CudaStream&) = delete;
  CudaStream& operator=(const CudaStream&) = delete;
  CudaStream(CudaStream&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  operator cudaStream_t() const { return s_; }
  void sync() const { K4_CUDA_CHECK(cudaStreamSynchronize(s_)); }

 private:
  cudaStream_t s_ = nullptr;
};

template <class T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t n) : n_(n) { K4_CUDA_CHECK(cudaMalloc(&p_, n * sizeof(T))); }
  ~DeviceBuffer() { cudaFree(p_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  T* get() const { return p_; }
  size_t bytes() const { return n_ * sizeof(T); }

 private:
  T* p_ = nullptr;
  size_t n_ = 0;
};

template <class Cfg, Epilogue kEpi, bool kResidual>
void launch_gemm(const bf16* A, const bf16* B, const bf16* bias, const bf16* residual, bf16* C,
                 float* ws, int M, int N, int K, int splits, cudaStream_t stream) {
  if (M % Cfg::BM || N % Cfg::BN || K % Cfg::BK) {
    std::fprintf(stderr, "launch_gemm: %dx%dx%d is not a multiple of the CTA tile\n", M, N, K);
    std::abort();
  }
  const int k_tiles = K / Cfg::BK;
  const int per_split = (k_tiles + splits - 1) / splits;
  const dim3 grid(N / Cfg::BN, M / Cfg::BM, splits);
  const dim3 block(Cfg::kThreads);

  auto run = [&](auto kernel, float* ws_arg, int tiles_per_split) {
    K4_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       int(Cfg::kSmemBytes)));
    kernel<<<grid, block, Cfg::kSmemBytes, stream>>>(A, B, bias, residual, C, ws_arg, M, N, K,
                                                      tiles_per_split);
  };
  if (splits == 1) {
    run(gemm_bf16_pipelined_kernel<Cfg, kEpi, kResidual, false>, nullptr, k_tiles);
  } else {
    run(gemm_bf16_pipelined_kernel<Cfg, kEpi, kResidual, true>, ws, per_split);
    const size_t pairs = size_t(M) * N / 2;
    const int reduce_blocks = int(std::min<size_t>((pairs + 255) / 256, 8192));
    splitk_reduce_epilogue_kernel<kEpi, kResidual>
        <<<reduce_blocks, 256, 0, stream>>>(ws, bias, residual, C, M, N, splits);
  }
  K4_CUDA_CHECK(cudaGetLastError());
}

}  // namespace k4

int main() {
  using namespace k4;
  using Tile = DefaultTile;
  constexpr int M = 256, N = 4096, K = 1024, kSplits = 4;

  std::mt19937 rng(1234);
  std::normal_distribution<float> dist(0.0f, 0.5f);
  std::vector<bf16> hA(size_t(M) * K), hRes(size_t(M) * N), hBias(N);
  std::vector<float> hW(size_t(N) * K);
  for (auto* v : {&hA, &hRes})
    for (auto& x : *v) x = __float2bfloat16(dist(rng));
  for (auto& x : hBias) x = __float2bfloat16(0.1f * dist(rng));
  for (auto& x : hW) x = 0.05f * dist(rng);

  CudaStream stream;
  DeviceBuffer<bf16> dA(hA.size()), dB(size_t(K) * N), dBias(N), dRes(hRes.size());
  DeviceBuffer<bf16> dC(size_t(M) * N), dC_split(size_t(M) * N), dC_split2(size_t(M) * N);
  DeviceBuffer<float> dW(hW.size()), dWs(size_t(kSplits) * M * N);

  auto upload = [&](auto& dst, const auto& src) {
    K4_CUDA_CHECK(
        cudaMemcpyAsync(dst.get(), src.data(), dst.bytes(), cudaMemcpyHostToDevice, stream));
  };
  upload(dA, hA), upload(dW, hW), upload(dBias, hBias), upload(dRes, hRes);

  constexpr int kT = 32, kRows = 8;
  const dim3 tgrid((K + kT - 1) / kT, (N + kT - 1) / kT);
  transpose_to_bf16_kernel<kT, kRows><<<tgrid, dim3(kT, kRows), 0, stream>>>(dW.get(), dB.get(),
                                                                             N, K);
  K4_CUDA_CHECK(cudaGetLastError());

  auto gemm = [&](DeviceBuffer<bf16>& out, int splits) {
    launch_gemm<Tile, Epilogue::kGelu, true>(dA.get(), dB.get(), dBias.get(), dRes.get(),
                                             out.get(), dWs.get(), M, N, K, splits, stream);
  };
  gemm(dC, 1);
  gemm(dC_split, kSplits);
  gemm(dC_split2, kSplits);
  stream.sync();

  std::vector<bf16> hC(size_t(M) * N), hS(size_t(M) * N), hS2(size_t(M) * N);
  for (auto [dst, src] :
       {std::pair{&hC, &dC}, std::pair{&hS, &dC_split}, std::pair{&hS2, &dC_split2}})
    K4_CUDA_CHECK(cudaMemcpy(dst->data(), src->get(), src->bytes(), cudaMemcpyDeviceToHost));

  float max_diff = 0.0f;
  for (size_t i = 0; i < hC.size(); ++i)
    max_diff = std::max(max_diff, std::abs(__bfloat162float(hC[i]) - __bfloat162float(hS[i])));
  const bool reproducible = std::memcmp(hS.data(), hS2.data(), hS.size() * sizeof(bf16)) == 0;

  std::printf("gemm %dx%dx%d: max |single - splitk(%d)| = %.4g, split-k reproducible: %s\n", M,
              N, K, kSplits, max_diff, reproducible ? "yes" : "NO");
  return reproducible ? 0 : 1;
}
