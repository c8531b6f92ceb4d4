// example: templated on the element type only; block size and the bias flag are runtime arguments. Negative (near miss).
template <typename T>
__global__ void row_sum_rt(const T* x, const T* bias, T* out, int n, int block, bool add_bias) {
    extern __shared__ float part[];
    float acc = 0.f;
    for (int i = threadIdx.x; i < n; i += block) acc += (float)x[blockIdx.x * n + i];
    part[threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.x == 0) {
        float total = 0.f;
        for (int k = 0; k < block; ++k) total += part[k];
        if (add_bias) total += (float)bias[blockIdx.x];
        out[blockIdx.x] = (T)total;
    }
}
