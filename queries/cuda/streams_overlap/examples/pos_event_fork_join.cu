// example: a side stream waits on an event from the main stream; two kernels run concurrently. Positive.
__global__ void left_half(float* x) { x[threadIdx.x] += 1.f; }
__global__ void right_half(float* x) { x[threadIdx.x + 256] *= 2.f; }

void fork_join(float* x) {
    cudaStream_t main_stream, side_stream;
    cudaEvent_t ready, done;
    cudaStreamCreate(&main_stream);
    cudaStreamCreate(&side_stream);
    cudaEventCreate(&ready);
    cudaEventCreate(&done);
    cudaEventRecord(ready, main_stream);
    cudaStreamWaitEvent(side_stream, ready, 0);
    left_half<<<1, 256, 0, main_stream>>>(x);
    right_half<<<1, 256, 0, side_stream>>>(x);
    cudaEventRecord(done, side_stream);
    cudaStreamWaitEvent(main_stream, done, 0);
    cudaStreamSynchronize(main_stream);
}
