// example: a home-made namespace with look-alike names (thread_block, this_thread_block, sync); not the cooperative_groups API. Negative (near miss).
namespace mygroups {
struct thread_block {
    __device__ unsigned thread_rank() const { return threadIdx.x; }
    __device__ void sync() const { __syncthreads(); }
};
__device__ inline thread_block this_thread_block() { return thread_block(); }
}
namespace cg = mygroups;
__global__ void copy_block(const float* in, float* out) {
    cg::thread_block block = cg::this_thread_block();
    out[blockIdx.x * blockDim.x + block.thread_rank()] = in[blockIdx.x * blockDim.x + block.thread_rank()];
    block.sync();
}
