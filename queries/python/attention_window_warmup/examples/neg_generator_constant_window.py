# example: the same generators, but the window generator yields the full 1792-token span at every step; negative.
import torch
from torch.nn.attention.flex_attention import create_block_mask

TOTAL = 1750


def steps(n):
    for step in range(n + 1):
        yield step, step == n


def spans(total, lo=64, hi=1792, quantum=64):
    for i in range(total + 1):
        span = quantum * (hi // quantum)
        yield torch.tensor(span, dtype=torch.int, device="cuda")


def window_mask(n, span):
    def rule(b, h, q, kv):
        return (q >= kv) & (q - kv < span)
    return create_block_mask(rule, None, None, n, n, device="cuda")


def fit(model, stream, opt):
    spans_gen = spans(TOTAL)
    for (step, last), span in zip(steps(TOTAL), spans_gen):
        if last:
            break
        tokens, labels = next(stream)
        loss = model(tokens, labels, window_mask(tokens.numel(), span))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
