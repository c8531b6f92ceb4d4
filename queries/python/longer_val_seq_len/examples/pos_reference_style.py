# example: val_seq_len = 4*64*1024 is separate from seq_len = 48*1024, validation batches use it, and the rotary table is sized for the max of both; present.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    val_tokens: int = 10485760
    seq_len: int = 48 * 1024
    val_seq_len: int = 4 * 64 * 1024


args = Hyperparameters()
world_size = 8


def evaluate(model, make_loader, val_files, sw_blocks):
    model.eval()
    val_batch_size = world_size * args.val_seq_len
    assert args.val_tokens % val_batch_size == 0
    val_steps = args.val_tokens // val_batch_size
    val_loader = make_loader(val_files, val_batch_size)
    val_loss = 0
    with torch.no_grad():
        for _ in range(val_steps):
            x, y = next(val_loader)
            val_loss += model(x, y, sw_blocks)
    model.train()
    return val_loss / val_steps


def build_model(GPT):
    return GPT(vocab_size=50257, num_layers=12, num_heads=6, model_dim=768,
               max_seq_len=max(args.seq_len, args.val_seq_len))
