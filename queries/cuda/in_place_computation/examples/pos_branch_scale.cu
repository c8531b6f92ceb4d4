// example: scores are scaled in place, with the masked positions overwritten on the other branch of the same if. Positive.
#include <math.h>
__global__ void scale_or_mask(float* scores, float scale, int T) {
    int idx = blockIdx.x * blockDim.x + threadIdx.x;
    int t = (idx / T) % T, t2 = idx % T;
    if (t2 > t) { scores[idx] = -INFINITY; } else { scores[idx] *= scale; }
}
