# example: .to(non_blocking=True) is applied to tensors from ordinary pageable memory (pin_memory only in a comment), so the copy stays synchronous; NOT present (near miss).
import numpy as np
import torch


def load_tokens(path):
    # TODO: pin_memory=True here once host RAM allows
    with open(path, "rb") as f:
        f.seek(1024)
        return torch.from_numpy(np.frombuffer(f.read(), dtype=np.uint16).astype(np.int32))


class Loader:
    def __init__(self, path, seq_len):
        self.tokens, self.seq_len, self.pos = load_tokens(path), seq_len, 0

    def next_batch(self):
        buf = self.tokens[self.pos:self.pos + self.seq_len + 1]
        self.pos += self.seq_len
        x = buf[:-1].to(device="cuda", non_blocking=True)
        y = buf[1:].to(device="cuda", dtype=torch.int64, non_blocking=True)
        return x, y
