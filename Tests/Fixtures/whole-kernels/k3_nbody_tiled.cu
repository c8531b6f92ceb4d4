// nbody_tiled.cu -- all-pairs gravitational N-body, shared-memory tiles of
// body positions, leapfrog integration, kinetic energy diagnostic.
//
// Layout: positions as float4 (x, y, z, mass), velocities as three SoA arrays.
#include <cuda_runtime.h>
#include <cstdio>
#include <cstdlib>
#include <cmath>

#define TILE 256
#define BODIES_PER_THREAD 2
#define SOFTENING2 1e-3f

#define CUDA_OK(call) do { cudaError_t e_ = (call); if (e_ != cudaSuccess) { \
    printf("CUDA error %s at %s:%d\n", cudaGetErrorString(e_), __FILE__, __LINE__); exit(1); } } while (0)

__device__ __forceinline__ float3 bodyBodyInteraction(float4 bi, float4 bj, float3 ai)
{
    float3 r;
    r.x = bj.x - bi.x;
    r.y = bj.y - bi.y;
    r.z = bj.z - bi.z;
    float distSqr = fmaf(r.x, r.x, fmaf(r.y, r.y, fmaf(r.z, r.z, SOFTENING2)));
    float invDist = rsqrtf(distSqr);
    float invDist3 = invDist * invDist * invDist;
    float s = bj.w * invDist3;
    ai.x = fmaf(r.x, s, ai.x);
    ai.y = fmaf(r.y, s, ai.y);
    ai.z = fmaf(r.z, s, ai.z);
    return ai;
}

// Each thread owns BODIES_PER_THREAD bodies (i and i + blockDim.x) so every
// position read from the shared tile feeds two interactions.
// 2 blocks/SM requested so the prefetch registers do not push us to 1 block.
__global__ void __launch_bounds__(TILE, 2)
bodyForceTiled(const float* __restrict__ posRaw, float* __restrict__ accRaw, int n)
{
    __shared__ float4 shPos[TILE];
    const float4* __restrict__ pos = reinterpret_cast<const float4*>(posRaw);
    float4* __restrict__ accOut = reinterpret_cast<float4*>(accRaw);

    const int base = blockIdx.x * (TILE * BODIES_PER_THREAD) + threadIdx.x;
    float4 myPos[BODIES_PER_THREAD];
    float3 acc[BODIES_PER_THREAD];
#pragma unroll
    for (int b = 0; b < BODIES_PER_THREAD; ++b) {
        int i = base + b * TILE;
        myPos[b] = (i < n) ? pos[i] : make_float4(0.f, 0.f, 0.f, 0.f);
        acc[b] = make_float3(0.f, 0.f, 0.f);
    }

    const int numTiles = (n + TILE - 1) / TILE;
    // software prefetch: the global load for tile t+1 is issued into a
    // register before the math on tile t, so its latency hides behind
    // TILE * BODIES_PER_THREAD interactions.
    int j0 = threadIdx.x;
    float4 next = (j0 < n) ? pos[j0] : make_float4(0.f, 0.f, 0.f, 0.f);

    for (int t = 0; t < numTiles; ++t) {
        shPos[threadIdx.x] = next;
        __syncthreads();
        int jn = (t + 1) * TILE + threadIdx.x;
        next = (jn < n) ? pos[jn] : make_float4(0.f, 0.f, 0.f, 0.f);

#pragma unroll 8
        for (int j = 0; j < TILE; ++j) {
            float4 bj = shPos[j];          // mass 0 for padding bodies
#pragma unroll
            for (int b = 0; b < BODIES_PER_THREAD; ++b)
                acc[b] = bodyBodyInteraction(myPos[b], bj, acc[b]);
        }
        __syncthreads();
    }

#pragma unroll
    for (int b = 0; b < BODIES_PER_THREAD; ++b) {
        int i = base + b * TILE;
        if (i < n) accOut[i] = make_float4(acc[b].x, acc[b].y, acc[b].z, 0.f);
    }
}

// Kick-drift update, positions and velocities are updated in place.
__global__ void integrateBodies(float4* __restrict__ pos, float* __restrict__ vx,
                                float* __restrict__ vy, float* __restrict__ vz,
                                const float4* __restrict__ acc, float dt, int n)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        float4 p = pos[i];
        float4 a = acc[i];
        float ux = vx[i] + a.x * dt;
        float uy = vy[i] + a.y * dt;
        float uz = vz[i] + a.z * dt;
        p.x += ux * dt;
        p.y += uy * dt;
        p.z += uz * dt;
        vx[i] = ux; vy[i] = uy; vz[i] = uz;
        pos[i] = p;
    }
}

// 0.5 * m * |v|^2 summed over all bodies.
__global__ void kineticEnergy(const float* __restrict__ vx, const float* __restrict__ vy,
                              const float* __restrict__ vz, const float* __restrict__ posRaw,
                              double* __restrict__ energy, int n)
{
    __shared__ float warpSums[32];
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    float e = 0.f;
    if (i < n) {
        // gather one body into a float4 (v.x, v.y, v.z, m)
        float4 v = make_float4(vx[i], vy[i], vz[i], posRaw[4 * i + 3]);
        e = 0.5f * v.w * (v.x * v.x + v.y * v.y + v.z * v.z);
    }
    for (int off = 16; off > 0; off >>= 1)
        e += __shfl_down_sync(0xffffffffu, e, off);
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) warpSums[warp] = e;
    __syncthreads();
    if (warp == 0) {
        e = (lane < (blockDim.x >> 5)) ? warpSums[lane] : 0.f;
        for (int off = 16; off > 0; off >>= 1)
            e += __shfl_down_sync(0xffffffffu, e, off);
        if (lane == 0) atomicAdd(energy, (double)e);
    }
}

static void randomizeBodies(float* pos, float* v, int n)
{
    srand(1234);
    for (int i = 0; i < n; ++i) {
        pos[4 * i + 0] = 2.f * rand() / (float)RAND_MAX - 1.f;
        pos[4 * i + 1] = 2.f * rand() / (float)RAND_MAX - 1.f;
        pos[4 * i + 2] = 2.f * rand() / (float)RAND_MAX - 1.f;
        pos[4 * i + 3] = 1.f / n;
        v[i] = 0.f;
    }
}

int main(int argc, char** argv)
{
    const int n = (argc > 1) ? atoi(argv[1]) : 32768;
    const int steps = 10;
    const float dt = 0.005f;

    float* hPos = (float*)malloc(4 * n * sizeof(float));
    float* hV = (float*)malloc(n * sizeof(float));
    randomizeBodies(hPos, hV, n);

    float *dPos, *dAcc, *dVx, *dVy, *dVz;
    double* dE;
    CUDA_OK(cudaMalloc(&dPos, 4 * n * sizeof(float)));
    CUDA_OK(cudaMalloc(&dAcc, 4 * n * sizeof(float)));
    CUDA_OK(cudaMalloc(&dVx, n * sizeof(float)));
    CUDA_OK(cudaMalloc(&dVy, n * sizeof(float)));
    CUDA_OK(cudaMalloc(&dVz, n * sizeof(float)));
    CUDA_OK(cudaMalloc(&dE, sizeof(double)));
    CUDA_OK(cudaMemcpy(dPos, hPos, 4 * n * sizeof(float), cudaMemcpyHostToDevice));
    CUDA_OK(cudaMemcpy(dVx, hV, n * sizeof(float), cudaMemcpyHostToDevice));
    CUDA_OK(cudaMemcpy(dVy, hV, n * sizeof(float), cudaMemcpyHostToDevice));
    CUDA_OK(cudaMemcpy(dVz, hV, n * sizeof(float), cudaMemcpyHostToDevice));

    const int forceBlocks = (n + TILE * BODIES_PER_THREAD - 1) / (TILE * BODIES_PER_THREAD);
    const int intThreads = 256;
    const int intBlocks = (n + intThreads - 1) / intThreads;   // one thread per body

    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    cudaEventRecord(start);
    for (int s = 0; s < steps; ++s) {
        bodyForceTiled<<<forceBlocks, TILE>>>(dPos, dAcc, n);
        integrateBodies<<<intBlocks, intThreads>>>(reinterpret_cast<float4*>(dPos), dVx, dVy, dVz,
                                                   reinterpret_cast<const float4*>(dAcc), dt, n);
    }
    CUDA_OK(cudaMemset(dE, 0, sizeof(double)));
    kineticEnergy<<<intBlocks, intThreads>>>(dVx, dVy, dVz, dPos, dE, n);
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms = 0.f;
    cudaEventElapsedTime(&ms, start, stop);

    double hE = 0.0;
    CUDA_OK(cudaMemcpy(&hE, dE, sizeof(double), cudaMemcpyDeviceToHost));
    double interactions = (double)n * n * steps;
    printf("n=%d  %.3f ms  %.1f GInteractions/s  KE=%.6e\n", n, ms,
           interactions / (ms * 1e6), hE);

    cudaEventDestroy(start); cudaEventDestroy(stop);
    cudaFree(dPos); cudaFree(dAcc); cudaFree(dVx); cudaFree(dVy); cudaFree(dVz); cudaFree(dE);
    free(hPos); free(hV);
    return 0;
}
