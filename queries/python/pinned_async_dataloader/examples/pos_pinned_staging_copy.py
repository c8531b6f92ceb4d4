# example: each batch is staged in a preallocated pinned host buffer and copied into a device buffer with copy_(..., non_blocking=True); pinned async transfer through explicit buffers.
import numpy as np
import torch


class StagedLoader:
    def __init__(self, path: str, seq_len: int):
        self.data = np.memmap(path, dtype=np.uint16, mode="r", offset=1024)
        self.seq_len = seq_len
        self.pos = 0
        self.host = torch.empty(seq_len + 1, dtype=torch.int64, pin_memory=True)
        self.device_buf = torch.empty(seq_len + 1, dtype=torch.int64, device="cuda")

    def next_batch(self):
        chunk = torch.from_numpy(self.data[self.pos:self.pos + self.seq_len + 1].astype(np.int64))
        self.host.copy_(chunk)
        self.device_buf.copy_(self.host, non_blocking=True)
        self.pos += self.seq_len
        return self.device_buf[:-1], self.device_buf[1:]
