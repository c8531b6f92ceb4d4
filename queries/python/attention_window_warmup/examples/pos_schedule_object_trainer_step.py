# example: the window schedule is an object (its class's __call__ ramps 64 -> 1792 tokens in steps of 64 through a helper method, its total set by the base class's __init__), made by a factory over a dictionary of classes and handed to a trainer whose loop passes its value to a training-step method that runs the model and backward.
import torch
import torch.nn.functional as F
from torch.nn.attention.flex_attention import create_block_mask

num_iterations = 1750


class StepSchedule:
    def __init__(self, total_steps):
        self.total_steps = total_steps


class WindowWarmup(StepSchedule):
    def __init__(self, total_steps, start=64, end=1792, granule=64):
        super().__init__(total_steps)
        self.start, self.end, self.granule = start, end, granule

    def tokens_at(self, step):
        raw = step / self.total_steps * (self.end - self.start) + self.start
        return self.granule * int(raw // self.granule)

    def __call__(self, step):
        return torch.tensor(self.tokens_at(step), dtype=torch.int, device="cuda")


class ScheduleFactory:
    _registry = {"attn_window": WindowWarmup}

    @classmethod
    def create(cls, kind, **kw):
        return cls._registry[kind](**kw)


class GPT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50304, 768)
        self.lm_head = torch.nn.Linear(768, 50304, bias=False)

    def forward(self, idx, target, window):
        def mask_mod(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (q_idx - kv_idx < window)
        block_mask = create_block_mask(mask_mod, None, None, len(idx), len(idx), device="cuda")
        x = self.embed(idx[None])
        return F.cross_entropy(self.lm_head(x).float().view(-1, 50304), target.view(-1))


class Trainer:
    def __init__(self, model, optimizer, window_schedule, loader):
        self.model, self.optimizer, self.window_schedule, self.loader = model, optimizer, window_schedule, loader

    def _train_step(self, step, x, y, window):
        loss = self.model(x, y, window=window)
        loss.backward()
        self.optimizer.step()
        self.model.zero_grad(set_to_none=True)
        return loss.detach()

    def run(self):
        for step in range(num_iterations + 1):
            window = self.window_schedule(step)
            x, y = self.loader.next_batch()
            self._train_step(step, x, y, window)


def main(loader):
    model = GPT().cuda()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    schedule = ScheduleFactory.create("attn_window", total_steps=num_iterations, start=64, end=1792, granule=64)
    Trainer(model, optimizer, schedule, loader).run()
