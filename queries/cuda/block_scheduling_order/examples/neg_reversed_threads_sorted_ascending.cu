// example: threads reversed inside a block (blockDim.x - 1 - threadIdx.x) and a host sort in ascending order; no block reordering. Negative (near miss).
#include <algorithm>
#include <vector>
__global__ void reverse_in_block(const float* in, float* out) {
    int t = blockDim.x - 1 - threadIdx.x;
    out[blockIdx.x * blockDim.x + t] = in[blockIdx.x * blockDim.x + threadIdx.x];
}
void launch_sorted(std::vector<int>& sizes, const float* in, float* out) {
    std::sort(sizes.begin(), sizes.end(), [](int a, int b) { return a < b; });
    reverse_in_block<<<(int)sizes.size(), 128>>>(in, out);
}
