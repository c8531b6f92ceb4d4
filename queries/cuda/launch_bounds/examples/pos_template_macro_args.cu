// example: llm.c-style bounds with a macro thread count and minimum blocks on a template kernel. Positive.
#define MAX_THREADS 1024
#define MIN_BLOCKS 2
template <typename T>
__global__ void __launch_bounds__(MAX_THREADS, MIN_BLOCKS) copy_rows(const T* in, T* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = in[i];
}
void launch(const float* in, float* out, int n) { copy_rows<float><<<(n + 1023) / 1024, MAX_THREADS>>>(in, out, n); }
