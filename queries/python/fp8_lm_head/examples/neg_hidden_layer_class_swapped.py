# example: near miss - the same float8 subclass and setup step, but the instance switched is a hidden layer of the body (`net.body[0].__class__ = Float8Unembed`); the output projection keeps its plain product; NOT present.
import torch
import torch.nn.functional as F
from torch import nn


def float8_product(x, w, sx, sw):
    xq = (x * sx).to(torch.float8_e4m3fn)
    wq = (w * sw).to(torch.float8_e4m3fn)
    inv_x = torch.tensor(1.0 / sx, device=x.device)
    inv_w = torch.tensor(1.0 / sw, device=x.device)
    return torch._scaled_mm(xq, wq.t(), out_dtype=torch.bfloat16, scale_a=inv_x, scale_b=inv_w)


class Float8Unembed(nn.Linear):
    act_scale = 4.0
    weight_scale = 64.0

    def forward(self, h):
        if not self.training:
            return super().forward(h)
        flat = h.reshape(-1, h.size(-1))
        out = float8_product(flat, self.weight, self.act_scale, self.weight_scale)
        return out.view(*h.shape[:-1], -1)


class Net(nn.Module):
    def __init__(self, vocab=50304, width=768):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.body = nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.Linear(width, width))
        self.unembed = nn.Linear(width, vocab, bias=False)

    def forward(self, ids, targets):
        h = self.body(self.tokens(ids))
        logits = self.unembed(F.rms_norm(h, (h.size(-1),))).float()
        return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


def prepare(net):
    net.body[0].__class__ = Float8Unembed
    return net.cuda()


net = prepare(Net())
opt = torch.optim.Adam(net.parameters(), lr=3e-4)
for step in range(100):
    ids = torch.randint(0, 50304, (8, 128), device="cuda")
    net(ids, ids).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
