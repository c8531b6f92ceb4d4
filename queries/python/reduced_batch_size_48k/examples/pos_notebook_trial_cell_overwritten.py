# example: a notebook export whose sweep cell tries 32K tokens per GPU and a later cell sets 48K (48 * 1024) per GPU (each cell also sets tokens_per_step = 8 * seq_len) before the loader is built; the later cell's value is what trains, present.
import torch


class Config:
    seq_len = 64 * 1024
    tokens_per_step = 8 * 64 * 1024
    steps = 1390


cfg = Config()

# In[5]:
cfg.seq_len = 32 * 1024
cfg.tokens_per_step = 8 * cfg.seq_len
cfg.steps = 2300

# In[6]:
cfg.seq_len = 48 * 1024
cfg.tokens_per_step = 8 * cfg.seq_len
cfg.steps = 1770


def batches(stream: torch.Tensor, tokens: int, rank: int, world: int):
    pos = rank * tokens
    while True:
        chunk = stream[pos: pos + tokens + 1]
        yield chunk[:-1].cuda().int(), chunk[1:].cuda().long()
        pos += world * tokens


# In[7]:
loader = batches(torch.load("train.pt"), cfg.tokens_per_step // 8, 0, 8)
