// example: templated on an element type and on a policy type whose static function is called and whose member
// type is used: both are type-only parameters, nothing constant is specialised. Negative.
struct AddOp {
    typedef float acc_t;
    __device__ static float apply(float a, float b) { return a + b; }
};

template <typename T, typename Op>
__global__ void combine(const T* a, const T* b, T* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        typename Op::acc_t r = Op::apply((float)a[i], (float)b[i]);
        out[i] = (T)r;
    }
}

void run(const float* a, const float* b, float* out, int n) {
    combine<float, AddOp><<<(n + 255) / 256, 256>>>(a, b, out, n);
}
