// example: a kernel and a constant named after occupancy, with a comment about it, but no residency control. Negative.
#define OCCUPANCY_BLOCKS 4
// tuned for occupancy: 4 blocks per SM
__global__ void occupancy_tuned_copy(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = x[i] * OCCUPANCY_BLOCKS;
}
void run_copy(const float* x, float* y, int n) { occupancy_tuned_copy<<<(n + 255) / 256, 256>>>(x, y, n); }
