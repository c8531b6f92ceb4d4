// example: a block-per-row softmax summing the logits a GEMM kernel wrote just before; the GEMM writes plain outputs,
// not per-block partials of a reduction, so the softmax is an ordinary row reduction. Negative.
__global__ void logits_gemm(const float* a, const float* w, float* logits, int rows, int cols, int k) {
    int r = blockIdx.y * 16 + threadIdx.y, c = blockIdx.x * 16 + threadIdx.x;
    if (r >= rows || c >= cols) return;
    float s = 0.0f;
    for (int i = 0; i < k; ++i) s += a[r * k + i] * w[i * cols + c];
    logits[r * cols + c] = s;
}
__global__ void row_softmax(const float* logits, float* probs, int cols) {
    __shared__ float red[256];
    const float* row = logits + blockIdx.x * cols;
    float sum = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) sum += __expf(row[c]);
    red[threadIdx.x] = sum;
    __syncthreads();
    for (int k = 128; k > 0; k >>= 1) {
        if (threadIdx.x < k) red[threadIdx.x] += red[threadIdx.x + k];
        __syncthreads();
    }
    for (int c = threadIdx.x; c < cols; c += blockDim.x) probs[blockIdx.x * cols + c] = __expf(row[c]) / red[0];
}
void head(const float* a, const float* w, float* logits, float* probs, int rows, int cols, int k) {
    logits_gemm<<<dim3((cols + 15) / 16, (rows + 15) / 16), dim3(16, 16)>>>(a, w, logits, rows, cols, k);
    row_softmax<<<rows, 256>>>(logits, probs, cols);
}
