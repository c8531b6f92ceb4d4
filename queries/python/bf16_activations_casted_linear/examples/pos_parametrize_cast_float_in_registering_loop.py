# example: the whole model goes to bf16, then one loop puts every nn.Linear back to fp32 (m.float()) and registers on its weight a parametrization whose forward returns the stored tensor as bf16, so fp32 masters are cast at use while activations flow in bf16, no autocast; positive (restore in the loop that registers the parametrization).
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as parametrize


class ComputeDtypeView(nn.Module):
    def __init__(self, dtype=torch.bfloat16):
        super().__init__()
        self.dtype = dtype

    def forward(self, w):
        return w.to(self.dtype)


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return x + self.down(F.relu(self.up(x)).square())


def install_fp32_masters(model, dtype=torch.bfloat16):
    model.to(dtype)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    for m in linears:
        m.float()
        parametrize.register_parametrization(m, "weight", ComputeDtypeView(dtype), unsafe=True)
    return linears


model = nn.Sequential(nn.Embedding(50304, 768), *[Block() for _ in range(12)]).cuda()
install_fp32_masters(model, torch.bfloat16)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
out = model(torch.randint(0, 50304, (2, 128), device="cuda"))
out.float().square().mean().backward()
opt.step()
