# example: a torch DataLoader with pin_memory=True yields pinned batches that are moved with .to(device, non_blocking=True); a third spelling of pinned async host-to-device loading.
import torch
from torch.utils.data import DataLoader, Dataset


class ChunkDataset(Dataset):
    def __init__(self, tokens: torch.Tensor, seq_len: int):
        self.tokens, self.seq_len = tokens, seq_len

    def __len__(self):
        return (len(self.tokens) - 1) // self.seq_len

    def __getitem__(self, i):
        s = i * self.seq_len
        chunk = self.tokens[s:s + self.seq_len + 1].long()
        return chunk[:-1], chunk[1:]


def make_loader(tokens, seq_len=1024, batch=32):
    return DataLoader(ChunkDataset(tokens, seq_len), batch_size=batch, shuffle=True,
                      num_workers=4, pin_memory=True, drop_last=True)


def train_epoch(model, opt, loader, device=torch.device("cuda")):
    for x, y in loader:
        x = x.to(device, non_blocking=True)
        y = y.to(device, non_blocking=True)
        model(x, y).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
