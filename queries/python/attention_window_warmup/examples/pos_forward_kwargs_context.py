# example: the window reaches the model through a dictionary spread into its call (`model(x, y, **ctx)`) and `forward` takes it from its own `**kwargs` by key (`kw["window"]`); it grows from 64 to 1792 tokens in 64-token steps and feeds the attention mask; positive.
import torch
import torch.nn.functional as F
from torch import nn

TOTAL = 1750


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(64, 64)

    def forward(self, x, y, **kw):
        window = kw["window"]
        t = torch.arange(x.size(1), device=x.device)
        mask = (t[:, None] >= t[None, :]) & (t[:, None] - t[None, :] < window)
        h = F.scaled_dot_product_attention(x, x, x, attn_mask=mask)
        return F.mse_loss(self.proj(h), y)


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
