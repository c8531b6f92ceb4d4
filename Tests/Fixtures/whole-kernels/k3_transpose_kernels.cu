// transpose_kernels.cu -- out-of-place and in-place matrix transpose study.
// 32x32 tiles, 32x8 thread blocks: each thread moves TILE_DIM/BLOCK_ROWS = 4
// elements per tile.
#include <cuda_runtime.h>
#include <cstdio>
#include <cstdlib>

#define TILE_DIM 32
#define BLOCK_ROWS 8

#define CUDA_CALL(x) do { cudaError_t st = (x); if (st != cudaSuccess) { \
    fprintf(stderr, "%s failed: %s\n", #x, cudaGetErrorString(st)); exit(EXIT_FAILURE); } } while (0)

// Reads a tile row-wise and writes it row-wise into the transposed
// location: both the global load and the global store are coalesced
// (threadIdx.x walks the contiguous dimension on both sides); the
// transposition happens through shared memory. The +1 column skews each
// row by one bank so the column-wise reads tile[threadIdx.x][...] are
// conflict free.
__global__ void transposeCoalesced(float* __restrict__ odata, const float* __restrict__ idata,
                                   int width, int height)
{
    __shared__ float tile[TILE_DIM][TILE_DIM + 1];

    int x = blockIdx.x * TILE_DIM + threadIdx.x;
    int y = blockIdx.y * TILE_DIM + threadIdx.y;
#pragma unroll
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < width && (y + j) < height)
            tile[threadIdx.y + j][threadIdx.x] = idata[(size_t)(y + j) * width + x];
    __syncthreads();

    x = blockIdx.y * TILE_DIM + threadIdx.x;   // swapped block offsets
    y = blockIdx.x * TILE_DIM + threadIdx.y;
#pragma unroll
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < height && (y + j) < width)
            odata[(size_t)(y + j) * height + x] = tile[threadIdx.x][threadIdx.y + j];
}

// Same data movement without the padding column: kept as the baseline
// for the bank-conflict measurement (32-way conflicts on the read-out).
__global__ void transposeNoPad(float* __restrict__ odata, const float* __restrict__ idata,
                               int width, int height)
{
    __shared__ float tile[TILE_DIM][TILE_DIM];

    int x = blockIdx.x * TILE_DIM + threadIdx.x;
    int y = blockIdx.y * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < width && (y + j) < height)
            tile[threadIdx.y + j][threadIdx.x] = idata[(size_t)(y + j) * width + x];
    __syncthreads();

    x = blockIdx.y * TILE_DIM + threadIdx.x;
    y = blockIdx.x * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < height && (y + j) < width)
            odata[(size_t)(y + j) * height + x] = tile[threadIdx.x][threadIdx.y + j];
}

// Square matrices only. Diagonal block ordering: blockIdx is re-interpreted
// so that consecutively scheduled blocks hit different memory partitions.
__global__ void transposeDiagonal(float* __restrict__ odata, const float* __restrict__ idata,
                                  int width)
{
    __shared__ float tile[TILE_DIM][TILE_DIM + 1];

    const int blockIdx_y = blockIdx.x;
    const int blockIdx_x = (blockIdx.x + blockIdx.y) % gridDim.x;

    int x = blockIdx_x * TILE_DIM + threadIdx.x;
    int y = blockIdx_y * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        tile[threadIdx.y + j][threadIdx.x] = idata[(size_t)(y + j) * width + x];
    __syncthreads();

    x = blockIdx_y * TILE_DIM + threadIdx.x;
    y = blockIdx_x * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        odata[(size_t)(y + j) * width + x] = tile[threadIdx.x][threadIdx.y + j];
}

// In-place transpose of an n x n matrix (n multiple of TILE_DIM).
// Only blocks on or above the diagonal do anything: block (bx, by) with
// by < bx swaps tile (by, bx) with tile (bx, by); diagonal blocks transpose
// their own tile. Blocks below the diagonal have no work of their own.
__global__ void transposeInPlaceSquare(float* __restrict__ a, int n)
{
    __shared__ float tileA[TILE_DIM][TILE_DIM + 1];
    __shared__ float tileB[TILE_DIM][TILE_DIM + 1];

    const int bx = blockIdx.x, by = blockIdx.y;
    if (by > bx) return;

    const int tx = threadIdx.x, ty = threadIdx.y;
    const size_t aRow0 = (size_t)by * TILE_DIM, aCol0 = (size_t)bx * TILE_DIM;   // tile A = (by, bx)
    const size_t bRow0 = (size_t)bx * TILE_DIM, bCol0 = (size_t)by * TILE_DIM;   // tile B = (bx, by)

    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS) {
        tileA[ty + j][tx] = a[(aRow0 + ty + j) * n + aCol0 + tx];
        if (bx != by) tileB[ty + j][tx] = a[(bRow0 + ty + j) * n + bCol0 + tx];
    }
    __syncthreads();

    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS) {
        // transposed A goes to B's position and vice versa
        a[(bRow0 + ty + j) * n + bCol0 + tx] = tileA[tx][ty + j];
        if (bx != by) a[(aRow0 + ty + j) * n + aCol0 + tx] = tileB[tx][ty + j];
    }
}

static float timeKernel(void (*launch)(float*, const float*, int, int), float* d_out,
                        const float* d_in, int w, int h, int reps)
{
    cudaEvent_t a, b;
    cudaEventCreate(&a); cudaEventCreate(&b);
    launch(d_out, d_in, w, h);                 // warm-up
    cudaEventRecord(a);
    for (int r = 0; r < reps; ++r) launch(d_out, d_in, w, h);
    cudaEventRecord(b);
    cudaEventSynchronize(b);
    float ms = 0.f;
    cudaEventElapsedTime(&ms, a, b);
    cudaEventDestroy(a); cudaEventDestroy(b);
    return ms / reps;
}

static void launchCoalesced(float* o, const float* i, int w, int h)
{
    dim3 grid((w + TILE_DIM - 1) / TILE_DIM, (h + TILE_DIM - 1) / TILE_DIM), block(TILE_DIM, BLOCK_ROWS);
    transposeCoalesced<<<grid, block>>>(o, i, w, h);
}
static void launchNoPad(float* o, const float* i, int w, int h)
{
    dim3 grid((w + TILE_DIM - 1) / TILE_DIM, (h + TILE_DIM - 1) / TILE_DIM), block(TILE_DIM, BLOCK_ROWS);
    transposeNoPad<<<grid, block>>>(o, i, w, h);
}
static void launchDiagonal(float* o, const float* i, int w, int /*h*/)
{
    dim3 grid(w / TILE_DIM, w / TILE_DIM), block(TILE_DIM, BLOCK_ROWS);
    transposeDiagonal<<<grid, block>>>(o, i, w);
}

int main()
{
    const int N = 4096;
    const size_t bytes = (size_t)N * N * sizeof(float);
    float* h = (float*)malloc(bytes);
    for (size_t k = 0; k < (size_t)N * N; ++k) h[k] = (float)k;

    float *d_in, *d_out;
    CUDA_CALL(cudaMalloc(&d_in, bytes));
    CUDA_CALL(cudaMalloc(&d_out, bytes));
    CUDA_CALL(cudaMemcpy(d_in, h, bytes, cudaMemcpyHostToDevice));

    const int reps = 50;
    const double gb = 2.0 * bytes / 1e9;
    float t0 = timeKernel(launchCoalesced, d_out, d_in, N, N, reps);
    float t1 = timeKernel(launchNoPad, d_out, d_in, N, N, reps);
    float t2 = timeKernel(launchDiagonal, d_out, d_in, N, N, reps);
    printf("coalesced %.1f GB/s | no-pad %.1f GB/s | diagonal %.1f GB/s\n",
           gb / (t0 * 1e-3), gb / (t1 * 1e-3), gb / (t2 * 1e-3));

    dim3 grid(N / TILE_DIM, N / TILE_DIM), block(TILE_DIM, BLOCK_ROWS);
    transposeInPlaceSquare<<<grid, block>>>(d_in, N);
    CUDA_CALL(cudaGetLastError());
    CUDA_CALL(cudaMemcpy(h, d_in, bytes, cudaMemcpyDeviceToHost));
    bool ok = true;
    for (int r = 0; r < N && ok; r += 97)
        for (int c = 0; c < N; c += 89)
            if (h[(size_t)r * N + c] != (float)((size_t)c * N + r)) { ok = false; break; }
    printf("in-place transpose %s\n", ok ? "OK" : "MISMATCH");

    cudaFree(d_in); cudaFree(d_out);
    free(h);
    return 0;
}
