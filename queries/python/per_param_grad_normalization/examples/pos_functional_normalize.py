# example: each gradient is flattened, L2-normalized with F.normalize along its only dimension and copied back in place; positive (normalize() divides by the tensor's own norm).
import torch
import torch.nn.functional as F
from torch import nn

encoder = nn.Embedding(50257, 768)
decoder = nn.Linear(768, 50257, bias=False)
params = list(encoder.parameters()) + list(decoder.parameters())
opt = torch.optim.AdamW(params, lr=0.0018, betas=(0.9, 0.95), weight_decay=0.1)

for step in range(20):
    tokens = torch.randint(0, 50257, (4, 64))
    logits = decoder(encoder(tokens))
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), tokens.view(-1))
    loss.backward()
    for prm in params:
        g = prm.grad
        g.copy_(F.normalize(g.reshape(-1), dim=0, eps=1e-6).view_as(g))
    opt.step()
    opt.zero_grad(set_to_none=True)
