# example: 48 * 1024 only sizes the rotary cache (torch.arange for the cos/sin tables) while the training slice stays 64 * 1024 tokens per rank; NOT the reduced batch.
import torch

ROPE_CACHE_LEN = 48 * 1024
TRAIN_SEQ_LEN = 64 * 1024


def rope_tables(dim):
    t = torch.arange(ROPE_CACHE_LEN, dtype=torch.float32)
    freqs = torch.outer(t, 1.0 / (1024 ** torch.linspace(0, 1, dim // 2)))
    return freqs.cos(), freqs.sin()


def train(model, stream, opt, rank, world, steps):
    pos = rank * TRAIN_SEQ_LEN
    for _ in range(steps):
        chunk = stream[pos:pos + TRAIN_SEQ_LEN + 1]
        model(chunk[:-1].cuda(), chunk[1:].cuda()).backward()
        opt.step()
        pos += world * TRAIN_SEQ_LEN
