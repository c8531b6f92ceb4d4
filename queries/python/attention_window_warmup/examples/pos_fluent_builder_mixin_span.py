# example: the trainer is made by a chained builder call (Trainer(...).build(), build ending in return self) and its span hook comes from a mixin that grows the attention window from 64 to 1792 tokens in steps of 64; the loop passes the span to the model's mask; present.
import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask

num_iterations = 1750


class GPT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50304, 768)
        self.lm_head = torch.nn.Linear(768, 50304, bias=False)

    def forward(self, idx, target, span):
        def mask_mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (q_idx - kv_idx < span)
        block_mask = create_block_mask(mask_mod, None, None, len(idx), len(idx), device="cuda")
        x = self.embed(idx[None])
        return F.cross_entropy(self.lm_head(x).float().view(-1, 50304), target.view(-1))


class BaseTrainer:
    def __init__(self, model):
        self.model = model

    def attention_span(self, step):
        return torch.tensor(1024, dtype=torch.int, device="cuda")

    def build(self):
        self.opt = torch.optim.Adam(self.model.parameters(), lr=0.001)
        return self


class SpanWarmup:
    lo, hi, quantum = 64, 1792, 64

    def attention_span(self, step):
        raw = step / num_iterations * (self.hi - self.lo) + self.lo
        return torch.tensor(self.quantum * int(raw // self.quantum), dtype=torch.int, device="cuda")


class Trainer(SpanWarmup, BaseTrainer):
    pass


model = GPT().cuda()
trainer = Trainer(model).build()
for step in range(num_iterations + 1):
    span = trainer.attention_span(step)
    x = torch.zeros(1024, dtype=torch.long, device="cuda")
    loss = model(x, x, span=span)
    loss.backward()
    trainer.opt.step()
    model.zero_grad(set_to_none=True)
