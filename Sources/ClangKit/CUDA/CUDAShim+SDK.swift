extension CUDAShim {
    /// Stand-ins for SDK and PyTorch extension headers that CUDA sources include.
    static let sdkHeaders: [String: String] = [
        "cuda_runtime.h": runtime,
        "cuda_runtime_api.h": runtime,
        "cuda.h": runtime,
        "device_launch_parameters.h": "#pragma once\n",
        "device_functions.h": "#pragma once\n",
        "cuda_pipeline.h": "#pragma once\n",
        "cuda_pipeline_primitives.h": "#pragma once\n",
        "cuda_fp16.h": halfTypes,
        "cuda_bf16.h": halfTypes,
        "cuda_fp16.hpp": halfTypes,
        "cuda_fp8.h": halfTypes,
        "cooperative_groups.h": cooperativeGroups,
        "cooperative_groups/reduce.h": "#pragma once\n#include <cooperative_groups.h>\n",
        "cooperative_groups/memcpy_async.h": "#pragma once\n#include <cooperative_groups.h>\n",
        "mma.h": wmma,
        "torch/extension.h": torchExtension,
        "torch/types.h": torchExtension,
        "ATen/ATen.h": torchExtension,
        "ATen/cuda/CUDAContext.h": torchExtension,
        "c10/cuda/CUDAGuard.h": torchExtension,
        "c10/cuda/CUDAStream.h": torchExtension,
        "c10/cuda/CUDAException.h": torchExtension,
        "c10/macros/Macros.h": c10Macros,
        "ATen/Dispatch.h": torchExtension,
        "ATen/AccumulateType.h": torchExtension,
        "math_constants.h": mathConstants,
        "cooperative_groups/scan.h": "#pragma once\n#include <cooperative_groups.h>\n",
    ]

    /// PyTorch's kernel macros: launch bounds, warp size, host/device qualifiers, launch checks.
    static let c10Macros = #"""
    #pragma once
    #ifndef SRLENS_C10_MACROS
    #define SRLENS_C10_MACROS
    #define C10_LAUNCH_BOUNDS_0 __launch_bounds__(1024)
    #define C10_LAUNCH_BOUNDS_1(max_threads) __launch_bounds__(max_threads)
    #define C10_LAUNCH_BOUNDS_2(max_threads, min_blocks) __launch_bounds__(max_threads, min_blocks)
    #define C10_WARP_SIZE 32
    #define C10_HOST_DEVICE __host__ __device__
    #define C10_DEVICE __device__
    #define C10_HOST __host__
    #define C10_ALWAYS_INLINE inline
    #define C10_LIKELY(x) (x)
    #define C10_UNLIKELY(x) (x)
    #define C10_CUDA_CHECK(x) ((void)(x))
    #define C10_CUDA_KERNEL_LAUNCH_CHECK() ((void)0)
    #endif
    """#

    /// `math_constants.h`'s single-precision constants.
    static let mathConstants = #"""
    #pragma once
    #define CUDART_INF_F __int_as_float(0x7f800000)
    #define CUDART_NAN_F __int_as_float(0x7fffffff)
    #define CUDART_PI_F 3.141592654f
    #define CUDART_SQRT_HALF_F 0.707106781f
    #define CUDART_SQRT_2PI_F 2.506628275f
    #define CUDART_L2E_F 1.442695041f
    #define CUDART_LN2_F 0.693147181f
    #define CUDART_INF __longlong_as_double(0x7ff0000000000000ULL)
    """#

    static let runtime = #"""
    #pragma once
    // The runtime API is declared by the srlens prelude; this header only has to exist.
    """#

    static let halfTypes = #"""
    #pragma once
    #ifndef SRLENS_HALF_TYPES
    #define SRLENS_HALF_TYPES
    // Conversions and arithmetic operators as cuda_fp16.h / cuda_bf16.h provide them, so `(float)h`,
    // `(half)f` and `a + b` on half types type-check.
    struct __half {
        unsigned short __x;
        __host__ __device__ __half() {}
        __host__ __device__ __half(float);
        __host__ __device__ __half(double);
        __host__ __device__ __half(int);
        __host__ __device__ operator float() const;
    };
    struct __half2 {
        __half x, y;
        __host__ __device__ __half2() {}
        __host__ __device__ __half2(__half, __half);
    };
    struct __nv_bfloat16 {
        unsigned short __x;
        __host__ __device__ __nv_bfloat16() {}
        __host__ __device__ __nv_bfloat16(float);
        __host__ __device__ __nv_bfloat16(double);
        __host__ __device__ __nv_bfloat16(int);
        __host__ __device__ operator float() const;
    };
    struct __nv_bfloat162 {
        __nv_bfloat16 x, y;
        __host__ __device__ __nv_bfloat162() {}
        __host__ __device__ __nv_bfloat162(__nv_bfloat16, __nv_bfloat16);
    };
    __device__ __half2 operator+(const __half2&, const __half2&);
    __device__ __half2 operator*(const __half2&, const __half2&);
    __device__ __half2 operator-(const __half2&, const __half2&);
    __device__ __nv_bfloat162 operator+(const __nv_bfloat162&, const __nv_bfloat162&);
    __device__ __nv_bfloat162 operator*(const __nv_bfloat162&, const __nv_bfloat162&);
    __device__ __nv_bfloat162 operator-(const __nv_bfloat162&, const __nv_bfloat162&);
    __host__ __device__ __nv_bfloat16 __float2bfloat16_rz(float);
    __host__ __device__ __half2 __float22half2_rn(float2);
    __host__ __device__ float __low2float(__half2);
    __host__ __device__ float __high2float(__half2);
    __host__ __device__ __nv_bfloat16 __ushort_as_bfloat16(unsigned short);
    __host__ __device__ unsigned short __bfloat16_as_ushort(__nv_bfloat16);
    __device__ __half2 __hsub2(__half2, __half2);
    __device__ __half2 __hmax2(__half2, __half2);
    __device__ __half2 __hneg2(__half2);
    __device__ __half2 __habs2(__half2);
    __device__ __half2 h2exp(__half2);
    __device__ __nv_bfloat162 __hfma2(__nv_bfloat162, __nv_bfloat162, __nv_bfloat162);
    struct __nv_fp8_e4m3 { unsigned char __x; };
    struct __nv_fp8_e5m2 { unsigned char __x; };
    typedef __half half;
    typedef __half2 half2;
    typedef __nv_bfloat16 nv_bfloat16;
    typedef __nv_bfloat162 nv_bfloat162;
    __host__ __device__ __half __float2half(float);
    __host__ __device__ __half __float2half_rn(float);
    __host__ __device__ float __half2float(__half);
    __host__ __device__ __half2 __floats2half2_rn(float, float);
    __host__ __device__ __half2 __float2half2_rn(float);
    __host__ __device__ float2 __half22float2(__half2);
    __host__ __device__ __nv_bfloat16 __float2bfloat16(float);
    __host__ __device__ __nv_bfloat16 __float2bfloat16_rn(float);
    __host__ __device__ float __bfloat162float(__nv_bfloat16);
    __host__ __device__ __nv_bfloat162 __floats2bfloat162_rn(float, float);
    __host__ __device__ float2 __bfloat1622float2(__nv_bfloat162);
    __device__ __half __hadd(__half, __half);
    __device__ __half __hmul(__half, __half);
    __device__ __half __hfma(__half, __half, __half);
    __device__ __half __hmax(__half, __half);
    __device__ __half2 __hadd2(__half2, __half2);
    __device__ __half2 __hmul2(__half2, __half2);
    __device__ __half2 __hfma2(__half2, __half2, __half2);
    __device__ __nv_bfloat16 __hadd(__nv_bfloat16, __nv_bfloat16);
    __device__ __nv_bfloat16 __hmul(__nv_bfloat16, __nv_bfloat16);
    __device__ __nv_bfloat162 __hadd2(__nv_bfloat162, __nv_bfloat162);
    __device__ __nv_bfloat162 __hmul2(__nv_bfloat162, __nv_bfloat162);
    __host__ __device__ __half operator+(__half, __half);
    __host__ __device__ __half operator*(__half, __half);
    __host__ __device__ __half operator-(__half, __half);
    __host__ __device__ __nv_bfloat16 operator+(__nv_bfloat16, __nv_bfloat16);
    __host__ __device__ __nv_bfloat16 operator*(__nv_bfloat16, __nv_bfloat16);
    __host__ __device__ __nv_bfloat16 operator-(__nv_bfloat16, __nv_bfloat16);
    #endif
    """#

    static let cooperativeGroups = #"""
    #pragma once
    namespace cooperative_groups {
    class thread_group {
    public:
        __device__ void sync() const;
        __device__ unsigned thread_rank() const;
        __device__ unsigned size() const;
        __device__ unsigned num_threads() const;
    };
    class thread_block : public thread_group {
    public:
        __device__ dim3 group_index() const;
        __device__ dim3 thread_index() const;
        __device__ dim3 group_dim() const;
    };
    class grid_group : public thread_group {
    public:
        __device__ bool is_valid() const;
        __device__ unsigned long long block_rank() const;
    };
    class coalesced_group : public thread_group {};
    template <unsigned Size, class Parent = void>
    class thread_block_tile : public thread_group {
    public:
        template <class T> __device__ T shfl(T var, int srcRank) const;
        template <class T> __device__ T shfl_down(T var, unsigned delta) const;
        template <class T> __device__ T shfl_up(T var, unsigned delta) const;
        template <class T> __device__ T shfl_xor(T var, unsigned laneMask) const;
        __device__ int any(int predicate) const;
        __device__ int all(int predicate) const;
        __device__ unsigned ballot(int predicate) const;
        __device__ unsigned meta_group_rank() const;
        __device__ unsigned meta_group_size() const;
    };
    __device__ thread_block this_thread_block();
    __device__ grid_group this_grid();
    __device__ coalesced_group coalesced_threads();
    template <unsigned Size, class Parent> __device__ thread_block_tile<Size> tiled_partition(const Parent &parent);
    __device__ thread_group tiled_partition(const thread_group &parent, unsigned size);
    template <class T> struct plus { __device__ T operator()(T a, T b) const; };
    template <class T> struct less { __device__ T operator()(T a, T b) const; };
    template <class T> struct greater { __device__ T operator()(T a, T b) const; };
    template <class T> struct bit_and { __device__ T operator()(T a, T b) const; };
    template <class Group, class T, class Op> __device__ T reduce(const Group &group, T value, Op op);
    template <class Group, class T, class Op> __device__ T inclusive_scan(const Group &group, T value, Op op);
    template <class Group, class T> __device__ void memcpy_async(const Group &group, T *dst, const T *src, size_t bytes);
    template <class Group> __device__ void wait(const Group &group);
    template <class Group> __device__ void sync(const Group &group);
    } // namespace cooperative_groups
    """#

    static let wmma = #"""
    #pragma once
    namespace nvcuda { namespace wmma {
    struct row_major; struct col_major; struct matrix_a; struct matrix_b; struct accumulator;
    namespace precision { struct tf32; struct b1; }
    enum layout_t { mem_row_major, mem_col_major };
    template <class Use, int M, int N, int K, class T, class Layout = void>
    struct fragment { enum { num_elements = 8 }; T x[8]; };
    template <class F, class T> __device__ void load_matrix_sync(F &frag, const T *ptr, unsigned ldm);
    template <class F, class T> __device__ void load_matrix_sync(F &frag, const T *ptr, unsigned ldm, layout_t layout);
    template <class F, class T> __device__ void store_matrix_sync(T *ptr, const F &frag, unsigned ldm, layout_t layout);
    template <class D, class A, class B, class C> __device__ void mma_sync(D &d, const A &a, const B &b, const C &c);
    template <class F, class T> __device__ void fill_fragment(F &frag, const T &value);
    }} // namespace nvcuda::wmma
    """#

    static let torchExtension = #"""
    #pragma once
    #include <cuda_fp16.h>
    #ifndef SRLENS_TORCH_EXTENSION
    #define SRLENS_TORCH_EXTENSION
    namespace c10 {
    enum class ScalarType { Float, Half, BFloat16, Double, Int, Long };
    struct Half { unsigned short x; };
    struct BFloat16 { unsigned short x; };
    struct Device {};
    struct TensorOptions { TensorOptions dtype(ScalarType) const; TensorOptions device(Device) const; };
    }
    namespace at {
    using c10::ScalarType;
    struct Tensor {
        template <class T> T *data_ptr() const;
        void *data_ptr() const;
        long numel() const;
        long size(long dim) const;
        long stride(long dim) const;
        long dim() const;
        bool is_cuda() const;
        bool is_contiguous() const;
        Tensor contiguous() const;
        ScalarType scalar_type() const;
        c10::TensorOptions options() const;
        c10::Device device() const;
    };
    Tensor empty_like(const Tensor &);
    Tensor zeros_like(const Tensor &);
    template <class... A> Tensor empty(A...);
    template <class... A> Tensor zeros(A...);
    namespace cuda { cudaStream_t getCurrentCUDAStream(); }
    constexpr ScalarType kFloat = ScalarType::Float, kHalf = ScalarType::Half, kBFloat16 = ScalarType::BFloat16;
    }
    namespace torch { using at::Tensor; using at::empty_like; using at::zeros_like; using at::empty; using at::zeros;
                      using at::kFloat; using at::kHalf; using at::kBFloat16; }
    #include <c10/macros/Macros.h>
    namespace at {
    template <typename T, bool is_cuda> struct AccumulateType { using type = float; };
    template <bool is_cuda> struct AccumulateType<double, is_cuda> { using type = double; };
    template <typename T, bool is_cuda> using acc_type = typename AccumulateType<T, is_cuda>::type;
    }
    #define TORCH_CHECK(cond, ...) ((void)(cond))
    #define AT_ASSERTM(cond, ...) ((void)(cond))
    #define AT_DISPATCH_FLOATING_TYPES(TYPE, NAME, ...) [&] { using scalar_t = float; return __VA_ARGS__(); }()
    #define AT_DISPATCH_FLOATING_TYPES_AND_HALF(TYPE, NAME, ...) [&] { using scalar_t = float; return __VA_ARGS__(); }()
    #define AT_DISPATCH_FLOATING_TYPES_AND2(A, B, TYPE, NAME, ...) [&] { using scalar_t = float; return __VA_ARGS__(); }()
    #define PYBIND11_MODULE(name, m) void srlens_pybind_module_##name(struct srlens_module &m)
    struct srlens_module { template <class... A> srlens_module &def(A...); };
    #define TORCH_EXTENSION_NAME srlens_extension
    #endif
    """#
}
