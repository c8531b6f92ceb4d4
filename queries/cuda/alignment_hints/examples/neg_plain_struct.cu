// example: a plain (unaligned) struct used by the kernel; a struct with alignas exists only for the host. Negative.
struct Pair { float lo, hi; };
struct alignas(32) HostConfig { int rows, cols; };

__global__ void clamp_pairs(Pair* p, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && p[i].lo > p[i].hi) { float t = p[i].lo; p[i].lo = p[i].hi; p[i].hi = t; }
}

int host_cells(HostConfig c) { return c.rows * c.cols; }
