# example: a Hugging Face GPT-2 built from its configuration; the configuration's vocab_size is 50304 (50257 rounded up to a multiple of 128), so the library's embedding and head are padded; present.
import torch
from transformers import GPT2Config, GPT2LMHeadModel

config = GPT2Config(vocab_size=50304, n_positions=1024, n_embd=768, n_layer=12, n_head=12)
model = GPT2LMHeadModel(config)
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0018, weight_decay=0.0)
ids = torch.randint(0, 50257, (4, 64))
model(input_ids=ids, labels=ids).loss.backward()
optimizer.step()
