// example: template kernel carving two typed arrays out of one extern byte buffer; launch passes the size. Positive.
template <typename T>
__global__ void pairwise(const T* a, const T* b, T* out, int n) {
    extern __shared__ unsigned char smem_raw[];
    T* sa = reinterpret_cast<T*>(smem_raw);
    T* sb = sa + n;
    for (int i = threadIdx.x; i < n; i += blockDim.x) { sa[i] = a[i]; sb[i] = b[i]; }
    __syncthreads();
    T acc = 0;
    for (int j = 0; j < n; ++j) acc += sa[threadIdx.x % n] * sb[j];
    out[blockIdx.x * blockDim.x + threadIdx.x] = acc;
}

void run_pairwise(const float* a, const float* b, float* out, int n, int blocks) {
    pairwise<float><<<blocks, 128, 2 * n * sizeof(float)>>>(a, b, out, n);
}
