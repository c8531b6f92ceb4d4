// example: chunks copied and processed on an array of streams so copies overlap kernels. Positive.
__global__ void square(float* x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] *= x[i];
}

void pipelined(float* host, float* dev, int chunks, int chunk) {
    cudaStream_t streams[4];
    for (int s = 0; s < 4; ++s) cudaStreamCreateWithFlags(&streams[s], cudaStreamNonBlocking);
    for (int c = 0; c < chunks; ++c) {
        float* d = dev + c * chunk;
        cudaMemcpyAsync(d, host + c * chunk, chunk * sizeof(float), cudaMemcpyHostToDevice, streams[c % 4]);
        square<<<(chunk + 255) / 256, 256, 0, streams[c % 4]>>>(d, chunk);
        cudaMemcpyAsync(host + c * chunk, d, chunk * sizeof(float), cudaMemcpyDeviceToHost, streams[c % 4]);
    }
    cudaDeviceSynchronize();
    for (int s = 0; s < 4; ++s) cudaStreamDestroy(streams[s]);
}
