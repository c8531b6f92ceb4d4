# example: a Hugging Face GPT-2 built from a configuration with tie_word_embeddings=False: the library gives the head its own weight; present.
import torch
from transformers import GPT2Config, GPT2LMHeadModel

config = GPT2Config(vocab_size=50304, n_embd=768, n_layer=12, n_head=12, tie_word_embeddings=False)
model = GPT2LMHeadModel(config)
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0018, weight_decay=0.0)
ids = torch.randint(0, 50257, (4, 64))
model(input_ids=ids, labels=ids).loss.backward()
optimizer.step()
