// example: each lane strides through a segment of unknown length in a condition-less loop that ends with its own break. Positive.
__global__ void segment_totals(const int* keys, const float* vals, float* totals, int count) {
    const int lane = threadIdx.x % 32;
    const int seg = (threadIdx.x + blockIdx.x * blockDim.x) / 32;
    if (seg >= count) return;
    const int key = keys[seg];
    float part = 0.0f;
    for (int j = seg + lane;; j += 32) {
        if (j >= count || keys[j] != key) break;
        part += vals[j];
    }
    for (int d = 16; d > 0; d /= 2) part += __shfl_down_sync(0xffffffffu, part, d);
    if (lane == 0) totals[seg] = part;
}
