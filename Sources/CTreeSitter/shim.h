// The tree-sitter runtime from Debian's libtree-sitter-dev (ABI 13-14).
#include <tree_sitter/api.h>
