// example: bias-gradient split over blockIdx.y: each y-block writes its partial column sums to its own slot, then a second kernel adds the slots in a fixed loop order. Positive.
__global__ void bias_partials(float* partials, const float* dout, int BT, int OC) {
    __shared__ float s[8][32];
    int col = blockIdx.x * 32 + threadIdx.x;
    float acc = 0.0f;
    for (int r = blockIdx.y * 8 + threadIdx.y; r < BT; r += gridDim.y * 8) acc += dout[r * OC + col];
    s[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0) {
        float total = 0.0f;
        for (int w = 0; w < 8; ++w) total += s[w][threadIdx.x];
        partials[blockIdx.y * OC + col] = total;
    }
}
__global__ void sum_slots(float* dbias, const float* slots, int OC, int num_slots) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= OC) return;
    float sum = 0.0f;
    for (int k = 0; k < num_slots; ++k) sum += slots[k * OC + c];
    dbias[c] += sum;
}
void bias_backward(float* dbias, float* scratch, const float* dout, int BT, int OC) {
    dim3 grid(OC / 32, 16);
    bias_partials<<<grid, dim3(32, 8)>>>(scratch, dout, BT, OC);
    sum_slots<<<(OC + 255) / 256, 256>>>(dbias, scratch, OC, 16);
}
