# example: the shard buffer is pinned, but batches are copied with a blocking .cuda() and then synchronized; the asynchronous half is missing, so NOT present.
import torch


def load_pinned(path, n_tokens):
    buf = torch.empty(n_tokens, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(1024)
        f.readinto(buf.numpy())
    return buf


def batches(path, n_tokens, seq_len):
    tokens = load_pinned(path, n_tokens)
    for start in range(0, n_tokens - seq_len - 1, seq_len):
        chunk = tokens[start:start + seq_len + 1].int()
        x, y = chunk[:-1].cuda(), chunk[1:].long().cuda()
        torch.cuda.synchronize()
        yield x, y
