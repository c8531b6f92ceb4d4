// example: a helper named atomic_add_relaxed that is a plain read-modify-write, atomicAdd only in a comment and a string. Negative (near miss).
__device__ const char* kName = "atomicAdd";
__device__ void atomic_add_relaxed(float* p, float v) { *p += v; }  // not atomicAdd: each thread owns its slot
__global__ void accumulate(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) atomic_add_relaxed(&y[i], x[i]);
}
