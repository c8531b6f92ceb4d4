// example: host matmul through cublasLtMatmul with the low-precision data type chosen by a macro (CUDA_R_16BF). Positive.
// The srlens shim has no <cublasLt.h> yet: the few declarations used, as the header spells them.
typedef struct cublasLtContext* cublasLtHandle_t;
typedef struct cublasLtMatmulDescOpaque* cublasLtMatmulDesc_t;
typedef struct cublasLtMatrixLayoutOpaque* cublasLtMatrixLayout_t;
typedef enum { CUBLAS_STATUS_SUCCESS = 0 } cublasStatus_t;
typedef enum { CUDA_R_32F = 0, CUDA_R_16F = 2, CUDA_R_16BF = 14 } cudaDataType_t;
typedef enum { CUBLAS_COMPUTE_32F = 68, CUBLAS_COMPUTE_32F_FAST_TF32 = 77 } cublasComputeType_t;
cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* d, cublasComputeType_t c, cudaDataType_t s);
cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* l, cudaDataType_t t, unsigned long long r,
                                          unsigned long long c, long long ld);
cublasStatus_t cublasLtMatmul(cublasLtHandle_t h, cublasLtMatmulDesc_t d, const void* alpha, const void* A,
                              cublasLtMatrixLayout_t la, const void* B, cublasLtMatrixLayout_t lb, const void* beta,
                              const void* C, cublasLtMatrixLayout_t lc, void* D, cublasLtMatrixLayout_t ld,
                              const void* algo, void* ws, size_t wsSize, cudaStream_t stream);
#define LOWP_TYPE CUDA_R_16BF
static cublasLtHandle_t lt_handle;
static void* workspace;
void matmul_lt(void* out, const void* a, const void* b, int m, int n, int k, cudaStream_t stream) {
    cublasLtMatmulDesc_t desc;
    cublasLtMatrixLayout_t la, lb, lc;
    cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
    cublasLtMatrixLayoutCreate(&la, LOWP_TYPE, k, m, k);
    cublasLtMatrixLayoutCreate(&lb, LOWP_TYPE, k, n, k);
    cublasLtMatrixLayoutCreate(&lc, LOWP_TYPE, m, n, m);
    const float alpha = 1.f, beta = 0.f;
    cublasLtMatmul(lt_handle, desc, &alpha, a, la, b, lb, &beta, out, lc, out, lc, nullptr, workspace, 1 << 25, stream);
}
