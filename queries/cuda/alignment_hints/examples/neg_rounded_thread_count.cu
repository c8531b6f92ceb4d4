// example: the host rounds the element count up to a multiple of the block size to size the grid; no byte line, no buffer padding. Negative.
__global__ void square(float* x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= x[i];
}
void square_all(float* x, int n) {
  const int block = 128;
  int padded = (n + block - 1) / block * block;
  square<<<padded / block, block>>>(x, n);
}
