#ifndef SRLENS_TREE_SITTER_PYTHON_H
#define SRLENS_TREE_SITTER_PYTHON_H
// Entry point of the tree-sitter-python grammar, compiled from the fetched sources in ../src.
typedef struct TSLanguage TSLanguage;
const TSLanguage *tree_sitter_python(void);
#endif
