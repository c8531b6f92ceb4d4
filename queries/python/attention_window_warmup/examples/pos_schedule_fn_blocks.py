# example: a schedule function turns training progress into a number of 128-token blocks (1 -> 14) copied into a device tensor the model reads each step; same warmup with other names.
import torch


class Config:
    train_steps = 1400
    min_window = 128
    max_window = 1792


def window_blocks(step: int, cfg: Config) -> int:
    progress = step / cfg.train_steps
    tokens = (1 - progress) * cfg.min_window + progress * cfg.max_window
    return max(1, int(tokens // 128))


def run(model, batches, opt, cfg=Config()):
    n_blocks = torch.tensor(1, dtype=torch.int32, device="cuda")
    for step, (inp, tgt) in enumerate(batches):
        if step >= cfg.train_steps:
            break
        n_blocks.copy_(window_blocks(step, cfg))
        model(inp, tgt, n_blocks).backward()
        opt.step()
        model.zero_grad(set_to_none=True)
