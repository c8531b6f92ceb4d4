// example: a loop bounded by gridDim.x that steps by one (summing per-block partials), not a grid stride. Negative (near miss).
__global__ void sum_partials(const float* partials, float* out) {
    if (threadIdx.x != 0 || blockIdx.x != 0) return;
    float s = 0.0f;
    for (int b = 0; b < gridDim.x; ++b) s += partials[b];
    *out = s;
}
