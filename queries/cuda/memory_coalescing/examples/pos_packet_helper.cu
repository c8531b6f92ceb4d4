// example: each lane loads an 8-wide packet through a helper that reinterprets the address as uint4; the packet
// index is the lane times the packet width. The comment states the intent. Positive.

#include <cuda_fp16.h>
__device__ inline uint4 load_packet(const __half* p) { return *reinterpret_cast<const uint4*>(p); }
__device__ inline void store_packet(__half* p, uint4 v) { *reinterpret_cast<uint4*>(p) = v; }

// lane-contiguous 16-byte packets: the warp's requests coalesce into whole segments
__global__ void copy_rows(__half* out, const __half* in, int width) {
    const __half* row_in = in + (size_t)blockIdx.x * width;
    __half* row_out = out + (size_t)blockIdx.x * width;
    for (int col = threadIdx.x * 8; col < width; col += blockDim.x * 8)
        store_packet(row_out + col, load_packet(row_in + col));
}
