// example: the launcher asks the occupancy calculator for this kernel's block size; no comment. Positive.
__global__ void axpy(float a, const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] += a * x[i];
}
void run_axpy(float a, const float* x, float* y, int n) {
    int minGrid = 0, block = 0;
    cudaOccupancyMaxPotentialBlockSize(&minGrid, &block, axpy, 0, 0);
    axpy<<<(n + block - 1) / block, block>>>(a, x, y, n);
}
