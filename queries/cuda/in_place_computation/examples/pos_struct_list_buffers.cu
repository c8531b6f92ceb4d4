// example: a multi-tensor optimizer step whose state and parameters live in a struct of pointer lists; each
// element is read and written back at the same index (exp_avg through a local pointer). Positive.

struct Lists { float* exp_avg[8]; float* param[8]; const float* grad[8]; long numel[8]; };

__global__ void momentum_step(Lists l, float lr, float beta) {
    const int t = blockIdx.y;
    float* m = l.exp_avg[t];
    for (long i = (long)blockIdx.x * blockDim.x + threadIdx.x; i < l.numel[t]; i += (long)gridDim.x * blockDim.x) {
        float v = beta * m[i] + l.grad[t][i];
        m[i] = v;
        l.param[t][i] = l.param[t][i] - lr * v;
    }
}
