# example: ADAM_EPS = 10 ** -10 is stored in a shared kwargs dict spread into two AdamW optimizers; eps resolves to 1e-10, same change through a constant.
import torch
import torch.nn as nn

ADAM_EPS = 10 ** -10
ADAM_KW = dict(betas=(0.8, 0.95), eps=ADAM_EPS, weight_decay=0.0)


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 512)
        self.out = nn.Linear(512, 50304, bias=False)


lm = TinyLM()
opt_tok = torch.optim.AdamW(lm.tok.parameters(), lr=0.6, **ADAM_KW)
opt_out = torch.optim.AdamW(lm.out.parameters(), lr=0.008, **ADAM_KW)
