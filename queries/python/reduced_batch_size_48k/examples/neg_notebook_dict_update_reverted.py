# example: near miss - the settings dict is made with 48K tokens per GPU, but a later `update` cell puts it back to 64K before the loader cell reads it; 64K trains, NOT present.
import torch

# %%
HP = dict(tokens_per_gpu=48 * 1024, world=8, steps=1770)

# %%
HP.update({"tokens_per_gpu": 64 * 1024, "steps": 1390})


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
