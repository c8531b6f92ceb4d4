// example: an unpadded tile read column-wise; the comment only plans a fix. Negative (near miss).

__global__ void transpose_naive_tile(const float* in, float* out, int n) {
    // TODO: this suffers from 32-way bank conflicts, pad the tile to avoid them
    __shared__ float tile[32][32];
    tile[threadIdx.y][threadIdx.x] = in[(blockIdx.y * 32 + threadIdx.y) * n + blockIdx.x * 32 + threadIdx.x];
    __syncthreads();
    out[(blockIdx.x * 32 + threadIdx.y) * n + blockIdx.y * 32 + threadIdx.x] = tile[threadIdx.x][threadIdx.y];
}
