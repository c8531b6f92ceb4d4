// example: pinned-buffer async upload on a private stream while the CPU prepares the next batch. Positive.
#include <cuda_runtime.h>
__global__ void consume(const int* tokens, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = (float)tokens[i];
}

static void fill_next_batch(int* pinned, int n, int step) {
    for (int i = 0; i < n; ++i) pinned[i] = (i * 31 + step) % 50257;
}

void train_step(int* pinned_cur, int* pinned_next, int* dev_tokens, float* out, int n, int step, cudaStream_t upload) {
    cudaMemcpyAsync(dev_tokens, pinned_cur, n * sizeof(int), cudaMemcpyHostToDevice, upload);
    fill_next_batch(pinned_next, n, step + 1);
    cudaStreamSynchronize(upload);
    consume<<<(n + 255) / 256, 256, 0, upload>>>(dev_tokens, out, n);
}
