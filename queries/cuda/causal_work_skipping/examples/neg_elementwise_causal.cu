// example: naive per-thread causal math: t comes from blockIdx*blockDim+threadIdx, the loop runs t2 <= t, and t2 > t returns per element. Negative (near miss).
__global__ void naive_att_backward(const float* att, const float* datt, float* dpre, int T) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= T) return;
    for (int t2 = 0; t2 <= t; t2++) {
        float g = 0.f;
        for (int t3 = 0; t3 <= t; t3++) g += att[t * T + t3] * datt[t * T + t3];
        dpre[t * T + t2] = att[t * T + t2] * (datt[t * T + t2] - g);
    }
}
__global__ void mask_scores(float* S, int T) {
    int t = blockIdx.y * blockDim.y + threadIdx.y, t2 = blockIdx.x * blockDim.x + threadIdx.x;
    if (t2 > t) { S[t * T + t2] = -1e30f; return; }
}
