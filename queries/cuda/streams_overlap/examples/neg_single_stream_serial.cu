// example: one created stream, every step synchronized before the next; comments mention overlap. Negative.
__global__ void negate(float* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] = -x[i];
}

void serial(float* host, float* dev, int n) {
    cudaStream_t s;
    cudaStreamCreate(&s);
    // TODO: use a second stream (cudaStreamWaitEvent) to overlap the copies
    cudaMemcpyAsync(dev, host, n * sizeof(float), cudaMemcpyHostToDevice, s);
    cudaStreamSynchronize(s);
    negate<<<(n + 255) / 256, 256, 0, s>>>(dev, n);
    cudaMemcpyAsync(host, dev, n * sizeof(float), cudaMemcpyDeviceToHost, s);
    cudaStreamSynchronize(s);
    cudaStreamDestroy(s);
}
