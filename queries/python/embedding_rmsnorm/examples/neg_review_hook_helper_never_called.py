# example: A helper that attaches a normalizing hook to the embedding table is defined but never called; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


def attach_debug_norm(model):
    def norm_hook(module, args, out):
        return F.rms_norm(out, (out.size(-1),))
    model.wte.register_forward_hook(norm_hook)


class Net(nn.Module):
    def __init__(self, vocab=2048, width=128, depth=2):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, ids):
        x = self.wte(ids)
        for block in self.blocks:
            x = x + F.relu(block(x))
        return self.lm_head(x)


model = Net()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
ids = torch.randint(0, 2048, (2, 16))
for _ in range(10):
    F.cross_entropy(model(ids).flatten(0, 1), ids.flatten()).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
