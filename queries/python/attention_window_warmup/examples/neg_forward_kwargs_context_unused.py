# example: a growing value is spread into the model call (`model(x, y, **ctx)`), but `forward` reads its `**kwargs` entry only to scale the loss, while the attention mask keeps a fixed 1024-token window; negative.
import torch
import torch.nn.functional as F
from torch import nn

TOTAL = 1750


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(64, 64)

    def forward(self, x, y, **kw):
        weight = kw.get("window", 1)
        t = torch.arange(x.size(1), device=x.device)
        mask = (t[:, None] >= t[None, :]) & (t[:, None] - t[None, :] < 1024)
        h = F.scaled_dot_product_attention(x, x, x, attn_mask=mask)
        return F.mse_loss(self.proj(h), y) * weight / 1792


model = Net()
opt = torch.optim.Adam(model.parameters())
for step in range(TOTAL + 1):
    x, y = torch.randn(1, 2048, 64), torch.randn(1, 2048, 64)
    reach = 64 * ((step / TOTAL * (1792 - 64) + 64) // 64)
    ctx = dict(window=torch.tensor(reach, dtype=torch.int, device="cuda"))
    loss = model(x, y, **ctx)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
