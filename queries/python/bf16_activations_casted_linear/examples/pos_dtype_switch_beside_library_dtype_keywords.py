# example: nanoGPT style: a module-level `dtype = 'bfloat16'` switch picks the model dtype from a table (`ptdtype = {...}[dtype]`); the data loader's `np.frombuffer(..., dtype=np.uint16)` and `torch.zeros(..., dtype=...)` are library keywords, not writes of the switch; the casting linears are put back to fp32 and no autocast is used; positive.
from contextlib import nullcontext

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

dtype = 'bfloat16'


class Linear(nn.Linear):
    def forward(self, input):
        return F.linear(input, self.weight.to(input.dtype))


class GPT(nn.Module):
    def __init__(self, vocab_size=50304, n_embd=768):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.c_fc = Linear(n_embd, 4 * n_embd, bias=False)
        self.c_proj = Linear(4 * n_embd, n_embd, bias=False)
        self.lm_head = Linear(n_embd, vocab_size, bias=False)

    def forward(self, idx, targets):
        x = self.wte(idx)
        x = x + self.c_proj(F.relu(self.c_fc(x)).square())
        logits = self.lm_head(x).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def load_tokens(path):
    with open(path, "rb") as f:
        return torch.from_numpy(np.frombuffer(f.read(), dtype=np.uint16).astype(np.int64))


ptdtype = {'float32': torch.float32, 'bfloat16': torch.bfloat16, 'float16': torch.float16}[dtype]
model = GPT().cuda().to(ptdtype)
for module in model.modules():
    if isinstance(module, Linear):
        module.float()
ctx = nullcontext()
tokens = load_tokens("train.bin").cuda()
grad_buffer = torch.zeros(1024, device='cuda', dtype=torch.bfloat16)
x, y = tokens[:1024].view(1, -1), tokens[1:1025].view(1, -1)
with ctx:
    loss = model(x, y)
loss.backward()
