# example: the same Hugging Face GPT-2, its configuration keeping vocab_size=50257: nothing is padded; NOT present.
import torch
from transformers import GPT2Config, GPT2LMHeadModel

config = GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12)
model = GPT2LMHeadModel(config)
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0018, weight_decay=0.0)
ids = torch.randint(0, 50257, (4, 64))
model(input_ids=ids, labels=ids).loss.backward()
optimizer.step()
