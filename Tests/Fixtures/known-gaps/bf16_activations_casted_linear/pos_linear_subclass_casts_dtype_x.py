# gap: Linear subclass casts with .to(dtype=x.dtype); the whole model goes to bf16 and then every 2-D Linear weight is restored to fp32 through named_parameters (embeddings stay bf16); no autocast in the loop; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Linear(nn.Linear):
    def __init__(self, fan_in, fan_out):
        super().__init__(fan_in, fan_out, bias=False)

    def forward(self, x):
        return F.linear(x, self.weight.to(dtype=x.dtype))


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc1 = Linear(d, 4 * d)
        self.fc2 = Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.relu(self.fc1(F.rms_norm(x, (x.size(-1),)))).square())


class LM(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.embedding = nn.Embedding(vocab, d)
        self.blocks = nn.Sequential(*[Block(d) for _ in range(depth)])
        self.unembed = Linear(d, vocab)

    def forward(self, idx, tgt):
        logits = self.unembed(self.blocks(self.embedding(idx))).float()
        return F.cross_entropy(logits.flatten(0, 1), tgt.flatten())


model = LM().cuda().to(torch.bfloat16)
for name, p in model.named_parameters():
    if p.ndim == 2 and not name.startswith("embedding"):
        p.data = p.data.float()          # fp32 master weights for all Linear layers

opt = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=True)
for step in range(10):
    x = torch.randint(0, 50304, (4, 1024), device="cuda")
    model(x, x).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
