// example: a register window shifted one slot per step (win[m] = win[m + 1]); a sliding queue of operands, not an output tile. Negative (near miss).
#define DEPTH 3

__global__ void sliding_max_z(const float* in, float* out, int nxy, int nz) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= nxy) return;
    float win[DEPTH];
    for (int m = 0; m < DEPTH; ++m) win[m] = in[m * nxy + i];
    for (int z = 0; z + DEPTH <= nz; ++z) {
        out[z * nxy + i] = fmaxf(win[0], fmaxf(win[1], win[2]));
        for (int m = 0; m + 1 < DEPTH; ++m) win[m] = win[m + 1];
        if (z + DEPTH < nz) win[DEPTH - 1] = in[(z + DEPTH) * nxy + i];
    }
}
