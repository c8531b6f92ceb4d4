# example: a schedule object computes a growing window and fill_()s it into a logging tensor, but hands the model its fixed 1024-token window tensor, so the window never grows; negative.
import torch
from torch.nn.attention.flex_attention import and_masks, create_block_mask

NUM_ITERATIONS = 1750


class GPT(torch.nn.Module):
    def forward(self, idx, target, window):
        def causal(b, h, q_idx, kv_idx):
            return q_idx >= kv_idx

        def sliding(b, h, q_idx, kv_idx):
            return q_idx - kv_idx < window

        S = len(idx)
        block_mask = create_block_mask(and_masks(causal, sliding), None, None, S, S, device="cuda")
        return self.blocks(idx, block_mask).float().mean()


class WindowSchedule:
    def __init__(self, lo, hi, total):
        self.lo, self.hi, self.total = lo, hi, total
        self.buf = torch.tensor(1024, dtype=torch.int, device="cuda")
        self.logged = torch.tensor(lo, dtype=torch.int, device="cuda")

    def tokens(self, step):
        return 64 * int((step / self.total * (self.hi - self.lo) + self.lo) // 64)

    def advance(self, step):
        self.logged.fill_(self.tokens(step))
        return self.buf


model = GPT()
optimizer = torch.optim.Adam(model.parameters())
schedule = WindowSchedule(64, 1792, NUM_ITERATIONS)
for step in range(NUM_ITERATIONS + 1):
    window = schedule.advance(step)
    x, y = next_batch()
    loss = model(x, y, window)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
