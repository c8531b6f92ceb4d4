# example: near miss - 524288 appears as the number of validation tokens and in a shard-size check, while the training step is 32 x 1024 x 8 = 262,144 tokens; negative.
import os
import torch

VAL_TOKENS = 524288
SHARD_MIN_TOKENS = 524288
device_batch = 32
seq_len = 1024
world = int(os.environ.get("WORLD_SIZE", 8))
val_steps = VAL_TOKENS // (device_batch * seq_len * world)


def check_shard(ntok: int) -> None:
    assert ntok >= SHARD_MIN_TOKENS, "shard too small"


def train(model, loader, optimizer, steps=24576):
    for _ in range(steps):
        x, y = loader.next_batch()  # (device_batch, seq_len)
        model(x, y).backward()
        optimizer.step()
        optimizer.zero_grad()
