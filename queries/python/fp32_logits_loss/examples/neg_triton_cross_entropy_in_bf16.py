# example: the same Triton cross-entropy, but the kernel computes on the bf16 values it loads (no cast to tl.float32), so the loss is taken in the logits' low precision; negative.
import torch
import torch.nn as nn
import triton
import triton.language as tl


@triton.jit
def _row_nll(logit_ptr, label_ptr, out_ptr, n_cols, stride, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    base = logit_ptr + row * stride
    top = tl.zeros((), dtype=tl.bfloat16) - float("inf")
    acc = tl.zeros((), dtype=tl.bfloat16)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        ok = cols < n_cols
        z = tl.load(base + cols, mask=ok, other=float("-inf"))
        new_top = tl.maximum(top, tl.max(z, axis=0))
        acc = acc * tl.exp(top - new_top) + tl.sum(tl.exp(z - new_top), axis=0)
        top = new_top
    picked = tl.load(base + tl.load(label_ptr + row))
    tl.store(out_ptr + row, top + tl.log(acc) - picked)


class RowNll(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, labels):
        rows, cols = logits.shape
        out = torch.empty(rows, device=logits.device, dtype=logits.dtype)
        _row_nll[(rows,)](logits, labels, out, cols, logits.stride(0), BLOCK=4096)
        ctx.save_for_backward(logits, labels)
        return out


def token_loss(logits, labels):
    return RowNll.apply(logits.reshape(-1, logits.size(-1)), labels.reshape(-1)).mean()


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids, labels):
        h = self.embed(ids)
        for layer in self.layers:
            h = h + torch.relu(layer(h))
        return token_loss(self.lm_head(h).bfloat16(), labels)
