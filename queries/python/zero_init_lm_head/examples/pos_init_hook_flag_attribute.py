# example: an HF-style _init_weights hook zeroes the weight of every linear module carrying a _zero_init flag, and the untied output head is the only module the model flags (self.lm_head._zero_init = True) before post_init applies the hook; positive (head selected by a flag attribute).
import torch
import torch.nn as nn
import torch.nn.functional as F


class PreTrained(nn.Module):
    @torch.no_grad()
    def _init_weights(self, module):
        if isinstance(module, nn.Linear) and getattr(module, "_zero_init", False):
            module.weight.zero_()

    def post_init(self):
        self.apply(self._init_weights)


class LMHeadModel(PreTrained):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList([nn.Linear(d, d, bias=False) for _ in range(n)])
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head._zero_init = True
        self.post_init()

    def forward(self, idx):
        x = F.rms_norm(self.wte(idx), (768,))
        for layer in self.h:
            x = x + F.relu(layer(x))
        return self.lm_head(F.rms_norm(x, (768,))).float()


model = LMHeadModel().cuda()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
logits = model(torch.randint(0, 50304, (2, 64), device="cuda"))
logits.square().mean().backward()
opt.step()
