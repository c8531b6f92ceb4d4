# example: near miss - the same composed step closures, but the ramp runs from 1536 to 1536 tokens, so the snapped span the mask reads never changes; NOT present.
import torch
from torch.nn.attention.flex_attention import create_block_mask

TOTAL_STEPS = 3000


def ramp(start, stop, horizon):
    def at(t):
        share = min(t / horizon, 1.0)
        return start + (stop - start) * share
    return at


def snapped(fn, grain):
    return lambda t: grain * int(fn(t) // grain)


span_at = snapped(ramp(1536, 1536, TOTAL_STEPS), 128)


def local_mask(tokens, span):
    def keep(b, h, q, k):
        return (q >= k) & (q - k < span)
    n = tokens.numel()
    return create_block_mask(keep, None, None, n, n, device="cuda")


def fit(net, stream, opt):
    for t in range(TOTAL_STEPS):
        span = torch.tensor(span_at(t), dtype=torch.int32, device="cuda")
        xb, yb = stream.next_batch()
        out = net(xb, yb, block_mask=local_mask(xb, span))
        out.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
