# example: the same split Triton cross-entropy, but the constant handed to it is 20, so the logits are capped at 20; negative.
import torch
import torch.nn as nn
import triton
import triton.language as tl

CAP = 20.0


@triton.jit
def _squash(z, cap):
    return 2.0 * tl.sigmoid(2.0 * z / cap) - 1.0


@triton.jit
def _rows_xent(logit_ptr, label_ptr, out_ptr, n_cols, stride, cap, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    base = logit_ptr + row * stride
    top = tl.zeros((), dtype=tl.float32) - float("inf")
    acc = tl.zeros((), dtype=tl.float32)
    for start in range(0, n_cols, BLOCK):
        cols = start + tl.arange(0, BLOCK)
        ok = cols < n_cols
        z = tl.load(base + cols, mask=ok, other=0.0).to(tl.float32)
        z = tl.where(ok, cap * _squash(z, cap), float("-inf"))
        new_top = tl.maximum(top, tl.max(z, axis=0))
        acc = acc * tl.exp(top - new_top) + tl.sum(tl.exp(z - new_top), axis=0)
        top = new_top
    label = tl.load(label_ptr + row)
    picked = cap * _squash(tl.load(base + label).to(tl.float32), cap)
    tl.store(out_ptr + row, top + tl.log(acc) - picked)


class RowsXent(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, labels, cap):
        rows, cols = logits.shape
        out = torch.empty(rows, device=logits.device, dtype=torch.float32)
        _rows_xent[(rows,)](logits, labels, out, cols, logits.stride(0), cap, BLOCK=4096)
        ctx.save_for_backward(logits, labels)
        return out


def capped_loss(logits, labels, cap=CAP):
    flat = logits.reshape(-1, logits.size(-1)).contiguous()
    return RowsXent.apply(flat, labels.reshape(-1), cap).mean()


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
        return capped_loss(self.lm_head(h), labels, CAP)
