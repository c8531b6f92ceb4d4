// example: the comment speaks of contiguity inside one thread (a blocked arrangement: lanes are ITEMS apart),
// and the kernel has one flat store. Negative.

#define ITEMS 4
// each thread reads ITEMS consecutive token ids and counts them
__global__ void count_ids(const int* ids, int* counts, int* seen, int n) {
    int t = blockIdx.x * blockDim.x + threadIdx.x;
    int c = 0;
    for (int k = 0; k < ITEMS; ++k) c += ids[t * ITEMS + k] > 0;
    seen[t] = c;
}
