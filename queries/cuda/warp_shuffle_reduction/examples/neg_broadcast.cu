// example: __shfl_sync only broadcasts lane 0's value to the warp; nothing is combined. Negative (near miss).
__global__ void broadcast_first(const float* x, float* y) {
    float v = x[blockIdx.x * blockDim.x + threadIdx.x];
    float first = __shfl_sync(0xffffffff, v, 0);
    y[blockIdx.x * blockDim.x + threadIdx.x] = v - first;
}
/root/.pyenv/libexec/pyenv-hooks: line 24: enable: cannot open shared object /root/.pyenv/libexec/pyenv-realpath.dylib: /root/.pyenv/libexec/pyenv-realpath.dylib: cannot open shared object file: No such file or directory
