# example: a @triton.jit kernel fuses the embedding gather with an RMS normalization of each gathered row, and its output is the residual stream for the blocks; positive (fused kernel).
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def embed_rms_kernel(ids_ptr, table_ptr, out_ptr, D: tl.constexpr, eps):
    row = tl.program_id(0)
    tok = tl.load(ids_ptr + row)
    cols = tl.arange(0, D)
    e = tl.load(table_ptr + tok * D + cols).to(tl.float32)
    scale = 1.0 / tl.sqrt(tl.sum(e * e, axis=0) / D + eps)
    tl.store(out_ptr + row * D + cols, (e * scale).to(out_ptr.dtype.element_ty))


def normalized_embedding(ids, table):
    flat = ids.reshape(-1)
    out = torch.empty(flat.numel(), table.size(1), device=table.device, dtype=table.dtype)
    embed_rms_kernel[(flat.numel(),)](flat, table, out, table.size(1), 1e-6)
    return out.view(*ids.shape, table.size(1))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))

    def forward(self, idx):
        x = normalized_embedding(idx, self.wte.weight)
        for blk in self.blocks:
            x = x + blk(x)
        return x
