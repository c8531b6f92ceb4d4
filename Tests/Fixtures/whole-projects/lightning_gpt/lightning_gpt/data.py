import glob
import os

import torch
from torch.utils.data import DataLoader, IterableDataset

try:
    import lightning as L
except ImportError:  # pragma: no cover
    import pytorch_lightning as L

HEADER_INTS = 256
MAGIC = 20240520


def read_shard(path: str) -> torch.Tensor:
    """Read a token shard straight into page-locked host memory."""
    with open(path, "rb", buffering=0) as f:
        header = torch.frombuffer(bytearray(f.read(HEADER_INTS * 4)), dtype=torch.int32)
        assert int(header[0]) == MAGIC, f"bad magic in {path}"
        n = int(header[2])
        tokens = torch.empty(n, dtype=torch.uint16, pin_memory=True)
        f.seek(HEADER_INTS * 4, os.SEEK_SET)
        got = f.readinto(tokens.numpy())
        assert got == 2 * n, "short read"
    return tokens


class PinnedTokenStream(IterableDataset):

    def __init__(self, pattern, batch_size, seq_len, rank=0, world=1, device="cuda"):
        super().__init__()
        self.files = sorted(glob.glob(pattern))
        self.B, self.T = batch_size, seq_len
        self.rank, self.world = rank, world
        self.device = device

    def __iter__(self):
        span = self.B * self.T
        for path in self.files:
            tokens = read_shard(path)
            pos = self.rank * span
            while pos + span + 1 <= tokens.numel():
                chunk = tokens[pos:pos + span + 1]
                inputs = chunk[:-1].to(self.device, dtype=torch.int32, non_blocking=True)
                targets = chunk[1:].to(self.device, dtype=torch.int64, non_blocking=True)
                yield inputs.view(self.B, self.T), targets.view(self.B, self.T)
                pos += span * self.world


class TokenDataModule(L.LightningDataModule):

    def __init__(self, train_glob, val_glob, batch_size=8, seq_len=4096):
        super().__init__()
        self.train_glob, self.val_glob = train_glob, val_glob
        self.batch_size, self.seq_len = batch_size, seq_len

    def _stream(self, pattern):
        rank = self.trainer.global_rank if self.trainer else 0
        world = self.trainer.world_size if self.trainer else 1
        dev = f"cuda:{self.trainer.local_rank}" if self.trainer else "cuda"
        ds = PinnedTokenStream(pattern, self.batch_size, self.seq_len, rank, world, dev)
        # batches are produced already on device; no workers, no collation
        return DataLoader(ds, batch_size=None, num_workers=0)

    def train_dataloader(self):
        return self._stream(self.train_glob)

    def val_dataloader(self):
        return self._stream(self.val_glob)
