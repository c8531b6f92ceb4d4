// example: block-granularity rows (row += gridDim.y) in a helper, plus a cooperative-groups grid's size() as stride. Positive.
#include <cooperative_groups.h>
namespace cg = cooperative_groups;
__device__ void zero_rows(float* m, int rows, int cols) {
    for (int row = blockIdx.y; row < rows; row += gridDim.y)
        for (int c = threadIdx.x; c < cols; c += blockDim.x) m[row * cols + c] = 0.0f;
}
__global__ void clear_and_scale(float* m, float* v, int rows, int cols, int n) {
    zero_rows(m, rows, cols);
    cg::grid_group grid = cg::this_grid();
    for (unsigned long long i = grid.thread_rank(); i < n; i += grid.size()) v[i] *= 0.5f;
}
