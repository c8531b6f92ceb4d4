// e8_histogram.cu
// Byte histograms of several image planes in one launch, plus a per-class (sum, sum^2) feature
// accumulator in fp16. Baseline kernel kept for comparison.
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cstdint>
#include <cstdio>

constexpr int NBINS = 256;

// Block-private histogram in shared memory, flushed once per block.
// blockIdx.y selects the plane: plane p reads in + p*plane_stride and writes hist + p*NBINS.
// Threads read consecutive 16-byte words, so a warp's request covers 512 contiguous bytes (coalesced).
__global__ void hist_planes_smem(const uint8_t* __restrict__ in, size_t plane_bytes, size_t plane_stride,
                                 unsigned int* __restrict__ hist) {
    __shared__ unsigned int s_bins[NBINS];
    for (int b = threadIdx.x; b < NBINS; b += blockDim.x) s_bins[b] = 0;
    __syncthreads();

    const uint8_t* plane = in + blockIdx.y * plane_stride;
    const size_t nvec = plane_bytes / 16;
    const uint4* vin = reinterpret_cast<const uint4*>(plane);
    const size_t stride = (size_t)gridDim.x * blockDim.x;
    const size_t gtid = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    // main part: whole 16-byte words only, no per-byte bounds checks
    for (size_t i = gtid; i < nvec; i += stride) {
        uint4 w = __ldg(vin + i);
        const uint32_t words[4] = {w.x, w.y, w.z, w.w};
#pragma unroll
        for (int k = 0; k < 4; ++k) {
#pragma unroll
            for (int sh = 0; sh < 32; sh += 8) atomicAdd(&s_bins[(words[k] >> sh) & 0xFF], 1u);
        }
    }
    // remainder (< 16 bytes)
    for (size_t i = nvec * 16 + gtid; i < plane_bytes; i += stride) atomicAdd(&s_bins[plane[i]], 1u);
    __syncthreads();

    unsigned int* out = hist + blockIdx.y * NBINS;
    for (int b = threadIdx.x; b < NBINS; b += blockDim.x) {
        unsigned int c = s_bins[b];
        if (c) atomicAdd(&out[b], c);
    }
}

// Baseline: every byte goes straight to the global histogram.
__global__ void hist_global_naive(const uint8_t* __restrict__ in, size_t n, unsigned int* __restrict__ hist) {
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        atomicAdd(&hist[in[i]], 1u);
}

// Per-class (sum, sum of squares) of a half feature, packed as one __half2 per class.
// Accumulated block-privately in dynamic shared memory with packed half2 atomics, then flushed.
__global__ void class_moments_half2(const __half* __restrict__ feat, const int* __restrict__ label,
                                    int n, int num_classes, __half2* __restrict__ moments) {
    extern __shared__ __half2 s_mom[];                    // [num_classes]
    for (int c = threadIdx.x; c < num_classes; c += blockDim.x) s_mom[c] = __float2half2_rn(0.f);
    __syncthreads();
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        __half f = feat[i];
        __half2 v = __halves2half2(f, __hmul(f, f));
        atomicAdd(&s_mom[label[i]], v);
    }
    __syncthreads();
    for (int c = threadIdx.x; c < num_classes; c += blockDim.x) atomicAdd(&moments[c], s_mom[c]);
}

int main() {
    const int planes = 3;
    const size_t plane_bytes = 1920 * 1080 + 7;
    const size_t plane_stride = (plane_bytes + 15) / 16 * 16;    // keep every plane 16-byte aligned
    uint8_t* d_img;
    unsigned int *d_hist, *d_hist_ref;
    cudaMalloc(&d_img, planes * plane_stride);
    cudaMalloc(&d_hist, planes * NBINS * sizeof(unsigned int));
    cudaMalloc(&d_hist_ref, NBINS * sizeof(unsigned int));
    cudaMemset(d_img, 7, planes * plane_stride);
    cudaMemset(d_hist, 0, planes * NBINS * sizeof(unsigned int));
    cudaMemset(d_hist_ref, 0, NBINS * sizeof(unsigned int));

    dim3 grid(120, planes);                                       // y: one slice per plane
    hist_planes_smem<<<grid, 256>>>(d_img, plane_bytes, plane_stride, d_hist);
    hist_global_naive<<<240, 256>>>(d_img, plane_bytes, d_hist_ref);

    const int n = 1 << 20, num_classes = 1000;
    __half* d_feat;
    int* d_label;
    __half2* d_mom;
    cudaMalloc(&d_feat, n * sizeof(__half));
    cudaMalloc(&d_label, n * sizeof(int));
    cudaMalloc(&d_mom, num_classes * sizeof(__half2));
    cudaMemset(d_feat, 0, n * sizeof(__half));
    cudaMemset(d_label, 0, n * sizeof(int));
    cudaMemset(d_mom, 0, num_classes * sizeof(__half2));
    class_moments_half2<<<160, 256, num_classes * sizeof(__half2)>>>(d_feat, d_label, n, num_classes, d_mom);

    unsigned int h0[NBINS];
    cudaMemcpy(h0, d_hist, sizeof(h0), cudaMemcpyDeviceToHost);
    printf("plane0 bin7 = %u\n", h0[7]);
    cudaFree(d_img); cudaFree(d_hist); cudaFree(d_hist_ref);
    cudaFree(d_feat); cudaFree(d_label); cudaFree(d_mom);
    return 0;
}
