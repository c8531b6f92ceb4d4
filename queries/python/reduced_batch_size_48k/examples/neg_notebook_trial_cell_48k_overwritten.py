# example: a notebook export whose sweep cell tries 48K (48 * 1024) tokens per GPU and a later cell goes back to 64K (each cell also sets tokens_per_step = 8 * seq_len) before the loader is built; only 64K trains, absent.
import torch


class Config:
    seq_len = 64 * 1024
    tokens_per_step = 8 * 64 * 1024
    steps = 1390


cfg = Config()

# In[5]:
cfg.seq_len = 48 * 1024
cfg.tokens_per_step = 8 * cfg.seq_len
cfg.steps = 1770

# In[6]:
cfg.seq_len = 64 * 1024
cfg.tokens_per_step = 8 * cfg.seq_len
cfg.steps = 1390


def batches(stream: torch.Tensor, tokens: int, rank: int, world: int):
    pos = rank * tokens
    while True:
        chunk = stream[pos: pos + tokens + 1]
        yield chunk[:-1].cuda().int(), chunk[1:].cuda().long()
        pos += world * tokens


# In[7]:
loader = batches(torch.load("train.pt"), cfg.tokens_per_step // 8, 0, 8)
