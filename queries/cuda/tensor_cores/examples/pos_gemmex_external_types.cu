// example: cublasGemmEx whose data and compute types are globals set in another file (not pinned to FP32 here). Positive.
// The srlens shim has no <cublas_v2.h> yet: the few declarations used, as the header spells them.
typedef struct cublasContext* cublasHandle_t;
typedef enum { CUBLAS_STATUS_SUCCESS = 0 } cublasStatus_t;
typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 } cublasOperation_t;
typedef int cudaDataType_t;
typedef int cublasComputeType_t;
typedef int cublasGemmAlgo_t;
cublasStatus_t cublasGemmEx(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                            const void* alpha, const void* A, cudaDataType_t at, int lda, const void* B, cudaDataType_t bt,
                            int ldb, const void* beta, void* C, cudaDataType_t ct, int ldc, cublasComputeType_t compute,
                            cublasGemmAlgo_t algo);
extern cublasHandle_t blas;
extern cudaDataType_t act_dtype;
extern cublasComputeType_t compute_type;
void project(void* out, const void* inp, const void* w, int BT, int C, int OC) {
    const float one = 1.f, zero = 0.f;
    cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, OC, BT, C, &one, w, act_dtype, C, inp, act_dtype, C, &zero,
                 out, act_dtype, OC, compute_type, 0);
}
