// example: a macro maps FAST_LOG to __logf inside a device helper that the kernel calls. Positive.
#define FAST_LOG(v) __logf(v)
__device__ __forceinline__ float neg_log_prob(float p) { return -FAST_LOG(p); }
__global__ void nll(const float* probs, const int* targets, float* loss, int V) {
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    loss[row] = neg_log_prob(probs[row * V + targets[row]]);
}
