# example: an HF-style _init_weights hook zeroes the weight of the linear modules carrying a _zero_init flag, but the model flags only the hidden layers, and the output head's flag is set False; negative (flag not on the head).
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
        for layer in self.h:
            layer._zero_init = True
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head._zero_init = False
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
