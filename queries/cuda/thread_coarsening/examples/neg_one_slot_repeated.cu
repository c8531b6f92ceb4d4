// example: a run-time loop that rewrites the thread's single output slot through a pointer; one output, not several. Negative.
__global__ void decay_in_place(float* values, int n, int steps, float factor) {
    int i = threadIdx.x + blockDim.x * blockIdx.x;
    if (i >= n) return;
    float* slot = values + i;
    for (int s = 0; s < steps; s++) {
        *slot = *slot * factor;
    }
}
