// example: 32-wide blocks: threadIdx.y numbers the warp, row = blockIdx.x * blockDim.y + threadIdx.y, row pointers advanced in place, lanes stride by WARP_SIZE * 4 with float4 loads. Positive.
#define WARP_SIZE 32
__global__ void rows_scale4(float* out, const float* inp, int N, int C, float s) {
    int idx = blockIdx.x * blockDim.y + threadIdx.y;
    if (idx >= N) return;
    inp += idx * C;
    out += idx * C;
    for (int c = threadIdx.x * 4; c < C; c += WARP_SIZE * 4) {
        float4 v = *reinterpret_cast<const float4*>(inp + c);
        v.x *= s; v.y *= s; v.z *= s; v.w *= s;
        *reinterpret_cast<float4*>(out + c) = v;
    }
}
void launch_rows(float* out, const float* inp, int N, int C, float s) {
    dim3 block(WARP_SIZE, 8);
    rows_scale4<<<(N + 7) / 8, block>>>(out, inp, N, C, s);
}
