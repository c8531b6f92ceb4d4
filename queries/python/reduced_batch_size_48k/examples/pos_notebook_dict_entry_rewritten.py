# example: a notebook export keeps its settings in a plain dict made in the first cell (64K tokens per GPU) and a later experiment cell rewrites the entries in place (`HP["tokens_per_gpu"] = 48 * 1024`) before the loader cell reads them; 48K trains, present.
import torch

# %%
HP = {
    "tokens_per_gpu": 64 * 1024,
    "world": 8,
    "steps": 1390,
}

# %% [markdown]
# Smaller batches: more optimizer steps for the same token budget.

# %%
HP["tokens_per_gpu"] = 48 * 1024
HP["steps"] = 1770


# %%
def shards(stream, tokens, rank, world):
    at = rank * tokens
    while True:
        piece = stream[at: at + tokens + 1]
        yield piece[:-1].cuda(), piece[1:].cuda()
        at += world * tokens


stream = torch.load("tokens.pt")
feed = shards(stream, HP["tokens_per_gpu"], 0, HP["world"])
for step in range(HP["steps"]):
    inputs, targets = next(feed)
