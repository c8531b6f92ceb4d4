// example: the kernel's only template parameter is a config struct; its static constexpr members (set from the
// struct's own non-type parameters) fix the tile and the unroll depth at compile time. Positive.
template <int Rows, int Depth>
struct TileShape {
    static constexpr int rows = Rows;
    static constexpr int depth = Depth;
};

template <typename Shape>
__global__ void tile_colsum(const float* in, float* out, int cols) {
    __shared__ float stage[Shape::rows];
    float acc = 0.0f;
    const int c = blockIdx.x;
    for (int r0 = 0; r0 < Shape::depth * Shape::rows; r0 += Shape::rows) {
        if (threadIdx.x < Shape::rows) stage[threadIdx.x] = in[(r0 + threadIdx.x) * cols + c];
        __syncthreads();
        if (threadIdx.x == 0)
            for (int r = 0; r < Shape::rows; ++r) acc += stage[r];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[c] = acc;
}

void colsum(const float* in, float* out, int cols) {
    tile_colsum<TileShape<32, 8>><<<cols, 32>>>(in, out, cols);
}
