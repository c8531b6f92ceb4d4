// example: host sorts work buckets largest first (lambda with >) before launching one block per bucket. Positive.
#include <algorithm>
#include <vector>
struct Bucket { int start; int size; };
__global__ void process_buckets(const Bucket* buckets, float* out) {
    Bucket b = buckets[blockIdx.x];
    for (int i = threadIdx.x; i < b.size; i += blockDim.x) out[b.start + i] += 1.0f;
}
void launch_buckets(std::vector<Bucket>& buckets, Bucket* d_buckets, float* out) {
    std::sort(buckets.begin(), buckets.end(), [](const Bucket& a, const Bucket& b) { return a.size > b.size; });
    cudaMemcpy(d_buckets, buckets.data(), buckets.size() * sizeof(Bucket), cudaMemcpyHostToDevice);
    process_buckets<<<(int)buckets.size(), 256>>>(d_buckets, out);
}
