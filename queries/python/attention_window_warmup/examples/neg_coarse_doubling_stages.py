# example: near miss - the window moves through five coarse stages (1, 2, 4, 8, 14 blocks) in equal slices of training, not a ramp; negative.
import torch


class Config:
    train_steps = 1400
    min_window = 128
    max_window = 1792


STAGES = (1, 2, 4, 8, 14)


def window_blocks(step: int, cfg: Config) -> int:
    stage = min(int(5 * step / cfg.train_steps), 4)
    return STAGES[stage]


def run(model, batches, opt, cfg=Config()):
    n_blocks = torch.tensor(1, dtype=torch.int32, device="cuda")
    for step, (inp, tgt) in enumerate(batches):
        if step >= cfg.train_steps:
            break
        n_blocks.copy_(window_blocks(step, cfg))
        model(inp, tgt, n_blocks).backward()
        opt.step()
        model.zero_grad(set_to_none=True)
