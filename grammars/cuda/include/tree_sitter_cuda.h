#ifndef SRLENS_TREE_SITTER_CUDA_H
#define SRLENS_TREE_SITTER_CUDA_H
// Entry point of the tree-sitter-cuda grammar, compiled from the fetched sources in ../src.
typedef struct TSLanguage TSLanguage;
const TSLanguage *tree_sitter_cuda(void);
#endif
