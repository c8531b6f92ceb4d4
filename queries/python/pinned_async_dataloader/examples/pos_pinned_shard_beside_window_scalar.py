# example: the shard is read with readinto into a pinned uint16 tensor and batches go to the GPU with non_blocking=True; a pinned window scalar computed by a helper (blocks(step)) is copied too, but the data path alone makes it present.
import torch


def load_shard(path):
    header = torch.from_file(path, False, 256, dtype=torch.int32)
    n = int(header[2])
    tokens = torch.empty(n, dtype=torch.uint16, pin_memory=True)
    with open(path, "rb", buffering=0) as f:
        f.seek(256 * 4)
        f.readinto(tokens.numpy())
    return tokens


def batches(path, seq_len):
    tokens = load_shard(path)
    for start in range(0, len(tokens) - seq_len - 1, seq_len):
        buf = tokens[start:start + seq_len + 1]
        yield buf[:-1].to("cuda", torch.int32, non_blocking=True), buf[1:].to("cuda", torch.int64, non_blocking=True)


blocks = lambda step, steps: (64 * int((64 + (1792 - 64) * step / steps) // 64) + 127) // 128


def train(model, path, steps):
    W = torch.tensor(1, dtype=torch.int32, device="cuda")
    for step, (x, y) in zip(range(steps), batches(path, 65536)):
        nb = blocks(step, steps)
        W.copy_(torch.tensor(nb, dtype=torch.int32).pin_memory(), non_blocking=True)
        model(x, y, W).backward()
