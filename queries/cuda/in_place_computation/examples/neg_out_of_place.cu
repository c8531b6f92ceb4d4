// example: separate input and output buffers, launched with different buffers; the output is written first and rescaled later (own scratch). Negative (near miss).
__global__ void softmax_out(float* out, const float* inp, int C) {
    const float* r = inp + blockIdx.x * C;
    float* o = out + blockIdx.x * C;
    float s = 0.f;
    for (int i = 0; i < C; ++i) { o[i] = expf(r[i]); s += o[i]; }
    for (int i = 0; i < C; ++i) o[i] *= 1.f / s;
}
void run_softmax(float* out, const float* inp, int rows, int C) { softmax_out<<<rows, 1>>>(out, inp, C); }
