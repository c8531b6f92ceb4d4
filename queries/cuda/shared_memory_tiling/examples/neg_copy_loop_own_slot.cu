// example: a loop only copies the row into shared memory and a later loop reads each element back once at the
// slot the same thread wrote: nothing is re-read, the shared buffer is a detour. Negative.
__global__ void scale_rows(const float* in, float* out, int width, float alpha) {
    extern __shared__ float row[];
    for (int c = threadIdx.x; c < width; c += blockDim.x) {
        float loaded = in[(size_t)blockIdx.x * width + c];
        row[c] = loaded;
    }
    __syncthreads();
    for (int c = threadIdx.x; c < width; c += blockDim.x) out[(size_t)blockIdx.x * width + c] = alpha * row[c];
}
