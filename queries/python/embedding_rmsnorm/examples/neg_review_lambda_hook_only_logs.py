# example: A lambda forward hook on the embedding only logs the RMS of the normalized lookup; it returns None so the output is unchanged; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

stats = []


class Net(nn.Module):
    def __init__(self, vocab=2048, width=128, depth=2):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.wte.register_forward_hook(lambda m, a, out: stats.append(F.rms_norm(out, (out.size(-1),)).abs().mean().item()))

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
