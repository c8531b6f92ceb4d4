# example: a functional model whose projections go through one helper that casts the stored weight to the activation's dtype (torch.matmul(h, w.type_as(h))); the whole net is cast with .bfloat16() and the rank-2 weights of the blocks and the head are put back to fp32 by a rank test (the embedding stays bf16); no autocast; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def project(h, w):
    return torch.matmul(h, w.type_as(h))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(
            nn.ParameterDict({"up": nn.Parameter(torch.randn(d, 4 * d) * d ** -0.5), "down": nn.Parameter(torch.zeros(4 * d, d)),
                              "scale": nn.Parameter(torch.ones(d))})
            for _ in range(depth)
        )
        self.head = nn.Parameter(torch.zeros(d, vocab))

    def forward(self, ids, targets):
        h = self.tok(ids)
        for p in self.blocks:
            h = h + project(F.relu(project(h * p["scale"], p["up"])).square(), p["down"])
        logits = project(F.rms_norm(h, (h.size(-1),)), self.head).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


net = Net().cuda().bfloat16()
with torch.no_grad():
    for weight in [*net.blocks.parameters(), net.head]:
        if weight.dim() == 2:
            weight.data = weight.data.to(torch.float32)
