// example: the gradient buffer is read as a 16-byte packet and the result written back over the same packet. Positive.

__global__ void scale_grad_packets(float* grad_in_out, const float* gain, int n) {
    int i = (blockIdx.x * blockDim.x + threadIdx.x) * 4;
    if (i >= n) return;
    float4 g = *reinterpret_cast<const float4*>(grad_in_out + i);
    float4 s = *reinterpret_cast<const float4*>(gain + i);
    g.x *= s.x; g.y *= s.y; g.z *= s.z; g.w *= s.w;
    *reinterpret_cast<float4*>(grad_in_out + i) = g;
}
