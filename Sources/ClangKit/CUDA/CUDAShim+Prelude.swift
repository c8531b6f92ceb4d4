extension CUDAShim {
    static let prelude = #"""
    // srlens CUDA prelude: the language surface of CUDA C++ as clang attributes and declarations.
    #pragma once
    #define __CUDACC__ 1
    #define __NVCC__ 1
    #define __CUDA_ARCH_LIST__ 800
    #define __global__ __attribute__((global))
    #define __device__ __attribute__((device))
    #define __host__ __attribute__((host))
    #define __shared__ __attribute__((shared))
    #define __constant__ __attribute__((constant))
    #define __managed__ __attribute__((managed))
    #define __launch_bounds__(...) __attribute__((launch_bounds(__VA_ARGS__)))
    #define __forceinline__ __inline__ __attribute__((always_inline))
    #define __noinline__ __attribute__((noinline))
    #define __restrict__ __restrict
    #define __align__(n) __attribute__((aligned(n)))
    #define __grid_constant__

    typedef __SIZE_TYPE__ size_t;
    typedef unsigned long long srlens_u64;

    // Vector types.
    #define SRLENS_VEC(T, N) struct N##1 { T x; }; struct N##2 { T x, y; }; \
        struct N##3 { T x, y, z; }; struct __align__(16) N##4 { T x, y, z, w; };
    SRLENS_VEC(float, float) SRLENS_VEC(int, int) SRLENS_VEC(unsigned int, uint) SRLENS_VEC(double, double)
    SRLENS_VEC(char, char) SRLENS_VEC(unsigned char, uchar) SRLENS_VEC(short, short) SRLENS_VEC(long long, longlong)
    #undef SRLENS_VEC
    struct dim3 {
        unsigned int x, y, z;
        __host__ __device__ constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1)
            : x(vx), y(vy), z(vz) {}
        __host__ __device__ constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
    };
    extern const __device__ uint3 threadIdx;
    extern const __device__ uint3 blockIdx;
    extern const __device__ dim3 blockDim;
    extern const __device__ dim3 gridDim;
    extern const __device__ int warpSize;

    typedef struct CUstream_st *cudaStream_t;
    typedef struct CUevent_st *cudaEvent_t;
    typedef enum cudaError { cudaSuccess = 0, cudaErrorInvalidValue = 1 } cudaError_t;

    // Hooks clang calls for a kernel launch `k<<<grid, block, shared, stream>>>(...)`.
    extern "C" int cudaConfigureCall(dim3 grid, dim3 block, size_t sharedMem = 0, cudaStream_t stream = 0);
    extern "C" unsigned __cudaPushCallConfiguration(dim3 grid, dim3 block, size_t sharedMem = 0, void *stream = 0);
    extern "C" cudaError_t cudaLaunchKernel(const void *func, dim3 grid, dim3 block, void **args,
                                            size_t sharedMem, cudaStream_t stream);

    __host__ __device__ float2 make_float2(float, float);
    __host__ __device__ float4 make_float4(float, float, float, float);
    __host__ __device__ int2 make_int2(int, int);
    __host__ __device__ int4 make_int4(int, int, int, int);
    __host__ __device__ uint3 make_uint3(unsigned, unsigned, unsigned);

    // Synchronization and memory fences.
    __device__ void __syncthreads();
    __device__ int __syncthreads_count(int);
    __device__ int __syncthreads_and(int);
    __device__ int __syncthreads_or(int);
    __device__ void __syncwarp(unsigned mask = 0xffffffffu);
    __device__ void __threadfence();
    __device__ void __threadfence_block();
    __device__ void __threadfence_system();

    // Warp-level primitives.
    __device__ unsigned __activemask();
    __device__ unsigned __ballot_sync(unsigned mask, int predicate);
    __device__ int __all_sync(unsigned mask, int predicate);
    __device__ int __any_sync(unsigned mask, int predicate);
    __device__ unsigned __match_any_sync(unsigned mask, unsigned value);
    template <class T> __device__ T __shfl_sync(unsigned mask, T var, int srcLane, int width = 32);
    template <class T> __device__ T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32);
    template <class T> __device__ T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32);
    template <class T> __device__ T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = 32);
    __device__ unsigned __reduce_add_sync(unsigned mask, unsigned value);
    __device__ unsigned __reduce_max_sync(unsigned mask, unsigned value);
    __device__ unsigned __reduce_min_sync(unsigned mask, unsigned value);

    // Atomics.
    template <class T> __device__ T atomicAdd(T *address, T value);
    template <class T> __device__ T atomicSub(T *address, T value);
    template <class T> __device__ T atomicMax(T *address, T value);
    template <class T> __device__ T atomicMin(T *address, T value);
    template <class T> __device__ T atomicExch(T *address, T value);
    template <class T> __device__ T atomicCAS(T *address, T compare, T value);
    template <class T> __device__ T atomicAnd(T *address, T value);
    template <class T> __device__ T atomicOr(T *address, T value);
    template <class T> __device__ T atomicXor(T *address, T value);
    __device__ unsigned atomicInc(unsigned *address, unsigned value);
    __device__ unsigned atomicDec(unsigned *address, unsigned value);
    template <class T> __device__ T atomicAdd_block(T *address, T value);
    template <class T> __device__ T atomicAdd_system(T *address, T value);
    template <class T> __device__ T atomicCAS_block(T *address, T compare, T value);

    // Device-side printf.
    extern "C" __host__ __device__ int printf(const char *format, ...);

    // Read-only cache loads and cache-hinted loads/stores.
    template <class T> __device__ T __ldg(const T *address);
    template <class T> __device__ T __ldcg(const T *address);
    template <class T> __device__ T __ldcs(const T *address);
    template <class T> __device__ void __stcg(T *address, T value);
    template <class T> __device__ void __stcs(T *address, T value);

    // Fast math intrinsics.
    __device__ float __expf(float);
    __device__ float __logf(float);
    __device__ float __sinf(float);
    __device__ float __cosf(float);
    __device__ float __tanf(float);
    __device__ float __powf(float, float);
    __device__ float __fdividef(float, float);
    __device__ float __frcp_rn(float);
    __device__ float __fsqrt_rn(float);
    __device__ float __fmaf_rn(float, float, float);
    __device__ float __saturatef(float);
    __device__ float rsqrtf(float);
    __device__ float exp2f(float);
    __device__ float __exp2f(float);
    __device__ int __popc(unsigned);
    __device__ int __clz(int);
    __device__ int __ffs(int);
    __device__ unsigned __funnelshift_l(unsigned, unsigned, int);
    __device__ unsigned __float_as_uint(float);
    __device__ float __uint_as_float(unsigned);
    __device__ int __float_as_int(float);
    __device__ float __int_as_float(int);
    __device__ float __int2float_rn(int);
    __device__ int __float2int_rn(float);
    __device__ long long clock64();
    __device__ unsigned __cvta_generic_to_shared(const void *);

    // Device math. clang overloads on __host__/__device__, so these coexist with the host <math.h>.
    #define SRLENS_MATH1(name) __device__ float name##f(float); __device__ double name(double);
    #define SRLENS_MATH2(name) __device__ float name##f(float, float); __device__ double name(double, double);
    SRLENS_MATH1(exp) SRLENS_MATH1(exp2) SRLENS_MATH1(expm1) SRLENS_MATH1(log) SRLENS_MATH1(log2)
    SRLENS_MATH1(log1p) SRLENS_MATH1(sqrt) SRLENS_MATH1(rsqrt) SRLENS_MATH1(cbrt) SRLENS_MATH1(tanh)
    SRLENS_MATH1(sinh) SRLENS_MATH1(cosh) SRLENS_MATH1(sin) SRLENS_MATH1(cos) SRLENS_MATH1(tan) SRLENS_MATH1(erf)
    SRLENS_MATH1(erfc) SRLENS_MATH1(fabs) SRLENS_MATH1(floor) SRLENS_MATH1(ceil) SRLENS_MATH1(round)
    SRLENS_MATH1(trunc) SRLENS_MATH1(rint) SRLENS_MATH1(log10) SRLENS_MATH1(asin) SRLENS_MATH1(acos)
    SRLENS_MATH1(atan) SRLENS_MATH2(pow) SRLENS_MATH2(fmax) SRLENS_MATH2(fmin) SRLENS_MATH2(fmod)
    SRLENS_MATH2(atan2) SRLENS_MATH2(hypot) SRLENS_MATH2(copysign)
    #undef SRLENS_MATH1
    #undef SRLENS_MATH2
    __device__ float fmaf(float, float, float);
    __device__ double fma(double, double, double);
    __device__ int isnan(float);
    __device__ int isinf(float);
    __device__ int max(int, int);
    __device__ int min(int, int);
    __device__ unsigned max(unsigned, unsigned);
    __device__ unsigned min(unsigned, unsigned);
    __device__ float max(float, float);
    __device__ float min(float, float);
    __device__ long long max(long long, long long);
    __device__ long long min(long long, long long);
    __device__ int abs(int);
    __device__ float abs(float);

    // Asynchronous copies (sm_80) as the pipeline primitives expose them.
    __device__ void __pipeline_memcpy_async(void *dst, const void *src, size_t size, size_t zfill = 0);
    __device__ void __pipeline_commit();
    __device__ void __pipeline_wait_prior(size_t prior);

    // Host runtime API (the parts kernels' launchers use).
    enum cudaMemcpyKind { cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost,
                          cudaMemcpyDeviceToDevice, cudaMemcpyDefault };
    enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize = 8,
                             cudaFuncAttributePreferredSharedMemoryCarveout = 9 };
    struct cudaDeviceProp { int multiProcessorCount; int maxThreadsPerBlock; size_t sharedMemPerBlock; int warpSize; };
    cudaError_t cudaMalloc(void **ptr, size_t size);
    template <class T> cudaError_t cudaMalloc(T **ptr, size_t size);
    cudaError_t cudaMallocAsync(void **ptr, size_t size, cudaStream_t stream);
    cudaError_t cudaFree(void *ptr);
    cudaError_t cudaFreeAsync(void *ptr, cudaStream_t stream);
    cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, cudaMemcpyKind kind);
    cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, cudaMemcpyKind kind, cudaStream_t stream = 0);
    cudaError_t cudaMemset(void *ptr, int value, size_t count);
    cudaError_t cudaMemsetAsync(void *ptr, int value, size_t count, cudaStream_t stream = 0);
    cudaError_t cudaDeviceSynchronize();
    cudaError_t cudaStreamCreate(cudaStream_t *stream);
    cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned flags);
    cudaError_t cudaStreamDestroy(cudaStream_t stream);
    cudaError_t cudaStreamSynchronize(cudaStream_t stream);
    cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned flags = 0);
    cudaError_t cudaEventCreate(cudaEvent_t *event);
    cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = 0);
    cudaError_t cudaEventSynchronize(cudaEvent_t event);
    cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end);
    cudaError_t cudaGetLastError();
    cudaError_t cudaPeekAtLastError();
    const char *cudaGetErrorString(cudaError_t error);
    cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device);
    cudaError_t cudaGetDevice(int *device);
    cudaError_t cudaSetDevice(int device);
    template <class F> cudaError_t cudaFuncSetAttribute(F func, cudaFuncAttribute attr, int value);
    template <class F> cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *n, F func, int block, size_t smem);
    #define cudaStreamNonBlocking 0x01
    """#
}
