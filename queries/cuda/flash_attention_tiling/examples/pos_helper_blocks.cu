// example: a device helper processes one key block (dot products, running max, rescaled l and output); the kernel loops over blocks with dynamic shared memory. Positive.
__device__ void attend_block(const float* q, const float* kb, const float* vb, float* o, float* m, float* l, int bc, int d) {
    for (int j = 0; j < bc; ++j) {
        float score = 0.f;
        for (int c = 0; c < d; ++c) score += q[c] * kb[j * d + c];
        float m_prev = *m;
        float m_cur = max(m_prev, score);
        float alpha = __expf(m_prev - m_cur);
        float p = __expf(score - m_cur);
        *l = *l * alpha + p;
        for (int c = 0; c < d; ++c) o[c] = o[c] * alpha + p * vb[j * d + c];
        *m = m_cur;
    }
}
__global__ void attention_tiled(const float* Q, const float* K, const float* V, float* O, int T, int d, int bc) {
    extern __shared__ float smem[];
    float* kb = smem;
    float* vb = smem + bc * d;
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    float o[128];
    for (int c = 0; c < d; ++c) o[c] = 0.f;
    float m = -1e30f, l = 0.f;
    for (int start = 0; start < T; start += bc) {
        for (int k = threadIdx.x; k < bc * d; k += blockDim.x) { kb[k] = K[start * d + k]; vb[k] = V[start * d + k]; }
        __syncthreads();
        attend_block(Q + row * d, kb, vb, o, &m, &l, bc, d);
        __syncthreads();
    }
    for (int c = 0; c < d; ++c) O[row * d + c] = o[c] / l;
}
