// example: attention-style (batch, head) slices from blockIdx.z / blockIdx.y through a macro and a slice stride. Positive.
#define HEAD blockIdx.y
__global__ void scale_heads(float* qkv, int NH, int T, int HS, float s) {
    int b = blockIdx.z;
    float* q = qkv + (b * NH + HEAD) * T * HS;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < T * HS; i += blockDim.x * gridDim.x) q[i] *= s;
}
