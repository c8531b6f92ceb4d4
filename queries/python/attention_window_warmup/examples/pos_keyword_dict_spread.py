# example: a keyword-only schedule function gets its bounds through a dictionary spread into the call (`**window_kw`); the window grows from 64 to 1792 tokens in 64-token chunks and feeds the attention mask; positive.
import torch
import torch.nn.functional as F
from torch import nn

TOTAL = 7 * 250


def window_for(step, *, total, grid, start_chunks, end_chunks):
    lo, hi = start_chunks * grid, end_chunks * grid
    return grid * int((step / total * (hi - lo) + lo) // grid)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(64, 64)

    def forward(self, x, y, window):
        t = torch.arange(x.size(1), device=x.device)
        mask = (t[:, None] >= t[None, :]) & (t[:, None] - t[None, :] < window)
        h = F.scaled_dot_product_attention(x, x, x, attn_mask=mask)
        return F.mse_loss(self.proj(h), y)


model = Net()
opt = torch.optim.Adam(model.parameters())
window_kw = dict(total=TOTAL, grid=1 << 6, start_chunks=1, end_chunks=28)
for step in range(TOTAL + 1):
    x, y = torch.randn(1, 2048, 64), torch.randn(1, 2048, 64)
    window = torch.tensor(window_for(step, **window_kw), dtype=torch.int, device="cuda")
    loss = model(x, y, window)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
