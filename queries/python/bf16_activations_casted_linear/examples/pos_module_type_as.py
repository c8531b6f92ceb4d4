# example: a Dense module owns an fp32 nn.Parameter and computes x @ self.w.type_as(x).T; embeddings are bf16 (.to(torch.bfloat16)) and the step has no autocast; positive (own module, type_as spelling).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Dense(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = nn.Parameter(torch.randn(n_out, n_in, dtype=torch.float32) * n_in ** -0.5)

    def forward(self, x):
        return x @ self.w.type_as(x).T


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=6):
        super().__init__()
        self.emb = nn.Embedding(vocab, d).to(torch.bfloat16)
        self.layers = nn.ModuleList(Dense(d, d) for _ in range(depth))
        self.head = Dense(d, vocab)

    def forward(self, ids):
        h = self.emb(ids)
        for lyr in self.layers:
            h = h + lyr(F.rms_norm(h, (h.size(-1),)))
        return self.head(h).float()


net = Net().cuda()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
ids = torch.randint(0, 50304, (2, 256), device="cuda")
F.cross_entropy(net(ids).flatten(0, 1), ids.flatten()).backward()
opt.step()
