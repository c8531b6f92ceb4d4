// example: plain fp32 cublasSgemm in default math mode; "CUBLAS_TF32_TENSOR_OP_MATH" only in a comment and a string. Negative (near miss).
#include <stdio.h>
// The srlens shim has no <cublas_v2.h> yet: the few declarations used, as the header spells them.
typedef struct cublasContext* cublasHandle_t;
typedef enum { CUBLAS_STATUS_SUCCESS = 0 } cublasStatus_t;
typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 } cublasOperation_t;
typedef enum { CUBLAS_DEFAULT_MATH = 0, CUBLAS_TENSOR_OP_MATH = 1, CUBLAS_TF32_TENSOR_OP_MATH = 3 } cublasMath_t;
cublasStatus_t cublasCreate(cublasHandle_t* h);
cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t mode);
cublasStatus_t cublasSgemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                           const float* alpha, const float* A, int lda, const float* B, int ldb, const float* beta,
                           float* C, int ldc);
static cublasHandle_t handle;
void setup_blas() {
    cublasCreate(&handle);
    // keep exact fp32: do not enable CUBLAS_TF32_TENSOR_OP_MATH
    cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH);
    printf("math mode: not CUBLAS_TF32_TENSOR_OP_MATH\n");
}
void linear_forward(float* out, const float* inp, const float* weight, int BT, int C, int OC) {
    const float one = 1.f, zero = 0.f;
    cublasSgemm(handle, CUBLAS_OP_T, CUBLAS_OP_N, OC, BT, C, &one, weight, C, inp, C, &zero, out, OC);
}
