// example: multi-tensor AdamW-style update: blockIdx.y picks the tensor from pointer arrays, blockIdx.x chunks it. Positive.
struct TensorList { float* params[8]; float* grads[8]; int sizes[8]; };
__global__ void multi_tensor_sgd(TensorList tl, float lr) {
    int t = blockIdx.y;
    float* p = tl.params[t];
    const float* g = tl.grads[t];
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < tl.sizes[t]; i += blockDim.x * gridDim.x) p[i] -= lr * g[i];
}
void step(TensorList tl, int num_tensors, float lr) {
    dim3 grid(64, num_tensors);
    multi_tensor_sgd<<<grid, 256>>>(tl, lr);
}
