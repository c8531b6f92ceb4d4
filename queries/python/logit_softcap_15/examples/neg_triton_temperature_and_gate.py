# example: a row-wise Triton cross-entropy that divides the logits by a temperature of 15, multiplies the row's loss back by 15 and weights it by tl.sigmoid of a separate gate value; a division, a product and a sigmoid, but the quotient never reaches the sigmoid, so nothing is capped; negative.
import torch
import torch.nn as nn
import triton
import triton.language as tl

TEMP = 15.0


@triton.jit
def _tempered_xent(logit_ptr, label_ptr, gate_ptr, out_ptr, n_cols, stride, temp, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    base = logit_ptr + row * stride
    cols = tl.arange(0, BLOCK)
    ok = cols < n_cols
    z = tl.load(base + cols, mask=ok, other=float("-inf")).to(tl.float32) / temp
    top = tl.max(z, axis=0)
    total = tl.sum(tl.exp(z - top), axis=0)
    label = tl.load(label_ptr + row)
    picked = tl.load(base + label).to(tl.float32) / temp
    weight = tl.sigmoid(tl.load(gate_ptr + row).to(tl.float32))
    row_loss = (top + tl.log(total) - picked) * temp
    tl.store(out_ptr + row, weight * row_loss)


def tempered_loss(logits, labels, gates, temp=TEMP):
    flat = logits.reshape(-1, logits.size(-1)).contiguous()
    out = torch.empty(flat.size(0), device=flat.device, dtype=torch.float32)
    _tempered_xent[(flat.size(0),)](flat, labels.reshape(-1), gates.reshape(-1), out, flat.size(1), flat.stride(0), temp, BLOCK=65536)
    return out.mean()


class TinyLM(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.gate = nn.Linear(width, 1, bias=False)

    def forward(self, ids, labels):
        h = self.embed(ids)
        for layer in self.layers:
            h = h + torch.relu(layer(h))
        return tempered_loss(self.lm_head(h), labels, self.gate(h), TEMP)
