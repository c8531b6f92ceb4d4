# example: set_stance is imported from torch.compiler and used as a with-block with an explicit "default" stance plus skip_guard_eval_unsafe=True after a warmup count; same switch, other spelling.
import torch
from torch.compiler import set_stance

WARMUP_STEPS = 8


def train_step(model, batch, opt):
    inputs, targets = batch
    loss = model(inputs, targets)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)


def run(model, batches, opt):
    model = torch.compile(model)
    for step, batch in enumerate(batches):
        if step < WARMUP_STEPS:
            train_step(model, batch, opt)
        else:
            with set_stance("default", skip_guard_eval_unsafe=True):
                train_step(model, batch, opt)
