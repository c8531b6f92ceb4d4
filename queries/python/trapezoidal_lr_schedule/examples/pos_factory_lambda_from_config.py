# example: a DeepSpeed-style config dict holds the schedule's step counts; a factory builds the warmup/stable/decay lambda from them and the lambda is held in a name before LambdaLR; no warmup (0 steps), so flat then a linear decay to 0; positive.
import torch

DS_CONFIG = {
    "scheduler": {"type": "WarmupDecayLR",
                  "params": {"total_num_steps": 5100, "warmup_num_steps": 0, "decay_num_steps": 1450}},
}

def wsd_lambda(total_num_steps, warmup_num_steps, decay_num_steps):
    stable_end = total_num_steps - decay_num_steps
    return lambda s: (s + 1) / warmup_num_steps if s < warmup_num_steps else (
        1.0 if s < stable_end else max(0.0, (total_num_steps - s) / decay_num_steps))

model = torch.nn.Linear(4, 4)
adamw = torch.optim.AdamW(model.parameters(), lr=0.0036)
sp = DS_CONFIG["scheduler"]["params"]
lam = wsd_lambda(sp["total_num_steps"], sp["warmup_num_steps"], sp["decay_num_steps"])
sched = torch.optim.lr_scheduler.LambdaLR(adamw, lam)
for step in range(5100):
    loss = model(torch.randn(2, 4)).sum()
    loss.backward()
    adamw.step()
    sched.step()
