// embedding_bag_backward.cu -- backward of EmbeddingBag(mode=sum|mean|max)
// w.r.t. the embedding table.
//   * atomic path       : scatter every bag gradient with atomics (fast, order
//                         of accumulation is nondeterministic)
//   * deterministic path: sort (index, bag) pairs, one warp per distinct row
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cub/cub.cuh>
#include <cstdint>
#include <cstdio>
#include <type_traits>
#include <vector>

enum class BagMode : int { Sum = 0, Mean = 1, Max = 2 };

// ---- functors -------------------------------------------------------------
template <BagMode M> struct BagGradScale {
    __device__ __forceinline__ float operator()(float g, int /*bag_size*/) const { return g; }
};
template <> struct BagGradScale<BagMode::Mean> {
    __device__ __forceinline__ float operator()(float g, int bag_size) const {
        return bag_size > 0 ? g / (float)bag_size : 0.f;
    }
};

template <typename T> struct Acc;
template <> struct Acc<float> {
    static __device__ __forceinline__ float load(float v) { return v; }
    static __device__ __forceinline__ float store(float v) { return v; }
    static __device__ __forceinline__ void atomic(float* p, float v) { atomicAdd(p, v); }
};
template <> struct Acc<__half> {
    static __device__ __forceinline__ float load(__half v) { return __half2float(v); }
    static __device__ __forceinline__ __half store(float v) { return __float2half_rn(v); }
    static __device__ __forceinline__ void atomic(__half* p, float v) { atomicAdd(p, __float2half_rn(v)); }
};

// ---- atomic path: one block per bag ---------------------------------------
template <typename scalar_t, BagMode MODE>
__global__ void embedding_bag_backward_atomic_kernel(
    const scalar_t* __restrict__ grad_out,      // [num_bags, D]
    const int64_t* __restrict__ indices,        // [nnz]
    const int64_t* __restrict__ offsets,        // [num_bags + 1]
    const int64_t* __restrict__ max_indices,    // [num_bags, D], MODE == Max only
    scalar_t* __restrict__ grad_weight,         // [num_embeddings, D]
    int D)
{
    const int bag = blockIdx.x;
    const int64_t begin = offsets[bag];
    const int64_t end = offsets[bag + 1];
    const int bag_size = (int)(end - begin);
    const BagGradScale<MODE> scale{};

    if constexpr (MODE == BagMode::Max) {
        // only the argmax row of every feature receives gradient
        for (int f = threadIdx.x; f < D; f += blockDim.x) {
            const int64_t row = max_indices[(int64_t)bag * D + f];
            if (row >= 0)
                Acc<scalar_t>::atomic(grad_weight + row * D + f, Acc<scalar_t>::load(grad_out[(int64_t)bag * D + f]));
        }
    } else if constexpr (std::is_same<scalar_t, __half>::value) {
        // D is even for fp16 tables: two features per packed atomic
        const __half2* go2 = reinterpret_cast<const __half2*>(grad_out + (int64_t)bag * D);
        for (int f2 = threadIdx.x; f2 < D / 2; f2 += blockDim.x) {
            const float2 g = __half22float2(go2[f2]);
            const __half2 gs = __floats2half2_rn(scale(g.x, bag_size), scale(g.y, bag_size));
            for (int64_t k = begin; k < end; ++k) {
                __half2* dst = reinterpret_cast<__half2*>(grad_weight + indices[k] * D) + f2;
                atomicAdd(dst, gs);
            }
        }
    } else {
        for (int f = threadIdx.x; f < D; f += blockDim.x) {
            // the bag's gradient value is the same for every member row
            const float g = scale(Acc<scalar_t>::load(grad_out[(int64_t)bag * D + f]), bag_size);
            for (int64_t k = begin; k < end; ++k)
                Acc<scalar_t>::atomic(grad_weight + indices[k] * D + f, g);
        }
    }
}

// ---- deterministic path ---------------------------------------------------
// Positions are sorted by embedding row; segment s = sorted positions
// [seg_offsets[s], seg_offsets[s+1]) that all hit row sorted_rows[...].
// Each row is owned by exactly one warp which sums its contributions in
// sorted order: no atomics, same summation order on every run.
template <typename scalar_t, BagMode MODE>
__global__ void embedding_bag_backward_sorted_kernel(
    const scalar_t* __restrict__ grad_out, const int* __restrict__ sorted_rows,
    const int* __restrict__ sorted_bag, const int* __restrict__ seg_offsets, int num_segments,
    const int64_t* __restrict__ offsets, scalar_t* __restrict__ grad_weight, int D)
{
    static_assert(MODE != BagMode::Max, "max mode uses the atomic path");
    const int lane = threadIdx.x & 31;
    const int seg = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (seg >= num_segments) return;

    const int s_begin = seg_offsets[seg];
    const int s_end = seg_offsets[seg + 1];
    const int row = sorted_rows[s_begin];
    const BagGradScale<MODE> scale{};

    for (int f = lane; f < D; f += 32) {
        float acc = 0.f;
        for (int k = s_begin; k < s_end; ++k) {
            const int bag = sorted_bag[k];
            const int bag_size = (int)(offsets[bag + 1] - offsets[bag]);
            acc += scale(Acc<scalar_t>::load(grad_out[(int64_t)bag * D + f]), bag_size);
        }
        grad_weight[(int64_t)row * D + f] = Acc<scalar_t>::store(acc);
    }
}

// keys for the radix sort (int32 rows) and the bag id of every position
__global__ void expand_bag_ids_kernel(const int64_t* __restrict__ indices, const int64_t* __restrict__ offsets,
                                      int* __restrict__ keys, int* __restrict__ bag_of, int num_bags)
{
    const int bag = blockIdx.x * blockDim.x + threadIdx.x;
    if (bag >= num_bags) return;
    for (int64_t k = offsets[bag]; k < offsets[bag + 1]; ++k) {
        keys[k] = (int)indices[k];
        bag_of[k] = bag;
    }
}

// ---- host dispatch --------------------------------------------------------
template <typename scalar_t, BagMode MODE>
struct EmbeddingBagBackward {
    static void atomic(const scalar_t* go, const int64_t* idx, const int64_t* off, const int64_t* maxidx,
                       scalar_t* gw, int num_bags, int D, cudaStream_t s)
    {
        const int threads = (std::is_same<scalar_t, __half>::value && MODE != BagMode::Max) ? 64 : 128;
        embedding_bag_backward_atomic_kernel<scalar_t, MODE><<<num_bags, threads, 0, s>>>(go, idx, off, maxidx, gw, D);
    }

    static void deterministic(const scalar_t* go, const int64_t* idx, const int64_t* off, scalar_t* gw,
                              int num_bags, int nnz, int num_rows, int D, cudaStream_t s)
    {
        int *keys, *bag_of, *keys_sorted, *bag_sorted, *uniq, *counts, *seg_off, *d_nruns;
        cudaMallocAsync(&keys, nnz * sizeof(int), s);
        cudaMallocAsync(&bag_of, nnz * sizeof(int), s);
        cudaMallocAsync(&keys_sorted, nnz * sizeof(int), s);
        cudaMallocAsync(&bag_sorted, nnz * sizeof(int), s);
        cudaMallocAsync(&uniq, nnz * sizeof(int), s);
        cudaMallocAsync(&counts, (nnz + 1) * sizeof(int), s);
        cudaMallocAsync(&seg_off, (nnz + 1) * sizeof(int), s);
        cudaMallocAsync(&d_nruns, sizeof(int), s);
        cudaMemsetAsync(counts, 0, (nnz + 1) * sizeof(int), s);

        expand_bag_ids_kernel<<<(num_bags + 255) / 256, 256, 0, s>>>(idx, off, keys, bag_of, num_bags);

        int end_bit = 1;
        while ((1 << end_bit) < num_rows && end_bit < 31) ++end_bit;
        void* tmp = nullptr;
        size_t b_sort = 0, b_rle = 0, b_scan = 0;
        cub::DeviceRadixSort::SortPairs(nullptr, b_sort, keys, keys_sorted, bag_of, bag_sorted, nnz, 0, end_bit, s);
        cub::DeviceRunLengthEncode::Encode(nullptr, b_rle, keys_sorted, uniq, counts, d_nruns, nnz, s);
        cub::DeviceScan::ExclusiveSum(nullptr, b_scan, counts, seg_off, nnz + 1, s);
        size_t b = b_sort > b_rle ? b_sort : b_rle;
        b = b > b_scan ? b : b_scan;
        cudaMallocAsync(&tmp, b, s);
        // stable sort keeps bags in ascending order inside a segment
        cub::DeviceRadixSort::SortPairs(tmp, b, keys, keys_sorted, bag_of, bag_sorted, nnz, 0, end_bit, s);
        cub::DeviceRunLengthEncode::Encode(tmp, b, keys_sorted, uniq, counts, d_nruns, nnz, s);
        int nruns = 0;
        cudaMemcpyAsync(&nruns, d_nruns, sizeof(int), cudaMemcpyDeviceToHost, s);
        cudaStreamSynchronize(s);
        cub::DeviceScan::ExclusiveSum(tmp, b, counts, seg_off, nruns + 1, s);

        const int warps_per_block = 8;
        embedding_bag_backward_sorted_kernel<scalar_t, MODE>
            <<<(nruns + warps_per_block - 1) / warps_per_block, warps_per_block * 32, 0, s>>>(
                go, keys_sorted, bag_sorted, seg_off, nruns, off, gw, D);

        cudaFreeAsync(tmp, s); cudaFreeAsync(keys, s); cudaFreeAsync(bag_of, s);
        cudaFreeAsync(keys_sorted, s); cudaFreeAsync(bag_sorted, s); cudaFreeAsync(uniq, s);
        cudaFreeAsync(counts, s); cudaFreeAsync(seg_off, s); cudaFreeAsync(d_nruns, s);
    }
};

int main()
{
    const int num_rows = 100000, D = 128, num_bags = 4096, bag_len = 20;
    const int nnz = num_bags * bag_len;
    std::vector<int64_t> h_idx(nnz), h_off(num_bags + 1);
    for (int b = 0; b <= num_bags; ++b) h_off[b] = (int64_t)b * bag_len;
    for (int k = 0; k < nnz; ++k) h_idx[k] = ((int64_t)k * 7919) % num_rows;

    cudaStream_t s;
    cudaStreamCreate(&s);
    int64_t *d_idx, *d_off;
    float *d_go, *d_gw;
    __half *d_go_h, *d_gw_h;
    cudaMalloc(&d_idx, nnz * sizeof(int64_t));
    cudaMalloc(&d_off, (num_bags + 1) * sizeof(int64_t));
    cudaMalloc(&d_go, (size_t)num_bags * D * sizeof(float));
    cudaMalloc(&d_gw, (size_t)num_rows * D * sizeof(float));
    cudaMalloc(&d_go_h, (size_t)num_bags * D * sizeof(__half));
    cudaMalloc(&d_gw_h, (size_t)num_rows * D * sizeof(__half));
    cudaMemcpyAsync(d_idx, h_idx.data(), nnz * sizeof(int64_t), cudaMemcpyHostToDevice, s);
    cudaMemcpyAsync(d_off, h_off.data(), (num_bags + 1) * sizeof(int64_t), cudaMemcpyHostToDevice, s);
    cudaMemsetAsync(d_go, 0, (size_t)num_bags * D * sizeof(float), s);
    cudaMemsetAsync(d_go_h, 0, (size_t)num_bags * D * sizeof(__half), s);
    cudaMemsetAsync(d_gw, 0, (size_t)num_rows * D * sizeof(float), s);
    cudaMemsetAsync(d_gw_h, 0, (size_t)num_rows * D * sizeof(__half), s);

    EmbeddingBagBackward<__half, BagMode::Sum>::atomic(d_go_h, d_idx, d_off, nullptr, d_gw_h, num_bags, D, s);
    EmbeddingBagBackward<float, BagMode::Mean>::deterministic(d_go, d_idx, d_off, d_gw, num_bags, nnz, num_rows, D, s);

    cudaError_t err = cudaStreamSynchronize(s);
    printf("embedding bag backward: %s\n", cudaGetErrorString(err));
    cudaFree(d_idx); cudaFree(d_off); cudaFree(d_go); cudaFree(d_gw); cudaFree(d_go_h); cudaFree(d_gw_h);
    cudaStreamDestroy(s);
    return 0;
}
