# example: a helper object refreshes the device window with copy_(non_blocking=True) only when it changes and returns it to the loop; no per-step loss read-back; positive.
import torch

class WindowSize:
    def __init__(self):
        self.value = None
        self.dev = torch.zeros((), dtype=torch.int, device='cuda')
    def update(self, it):
        new = int(64 * ((it / 1000 * (1792 - 64) + 64) // 64))
        if new != self.value:
            self.value = new
            self.dev.copy_(torch.tensor(new, dtype=torch.int), non_blocking=True)
        return self.dev

window = WindowSize()
model = torch.nn.Linear(4, 4)
opt = torch.optim.Adam(model.parameters())
for step in range(1000):
    attn_blocksize = window.update(step)
    loss = model(x, y, attn_blocksize=attn_blocksize)
    loss.backward()
    opt.step()
