# example (negative): the same functional model and casting helper, but after the whole-net bf16 cast every rank-2 parameter of the net is put back to fp32, the embedding table included, so the activations it produces are fp32 again: not bf16 activations.
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
            nn.ParameterDict({"up": nn.Parameter(torch.randn(d, 4 * d) * d ** -0.5), "down": nn.Parameter(torch.zeros(4 * d, d))})
            for _ in range(depth)
        )
        self.head = nn.Parameter(torch.zeros(d, vocab))

    def forward(self, ids, targets):
        h = self.tok(ids)
        for p in self.blocks:
            h = h + project(F.relu(project(h, p["up"])).square(), p["down"])
        logits = project(F.rms_norm(h, (h.size(-1),)), self.head).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


net = Net().cuda().bfloat16()
with torch.no_grad():
    for weight in net.parameters():
        if weight.dim() == 2:
            weight.data = weight.data.to(torch.float32)
