# example: the configuration is made with tie_word_embeddings=False, but config.tie_word_embeddings is set back to True before the model is built: the library ties the head to the embedding; NOT present.
import torch
from transformers import GPT2Config, GPT2LMHeadModel

config = GPT2Config(vocab_size=50304, n_embd=768, n_layer=12, n_head=12, tie_word_embeddings=False)
config.tie_word_embeddings = True
model = GPT2LMHeadModel(config)
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0018, weight_decay=0.0)
ids = torch.randint(0, 50257, (4, 64))
model(input_ids=ids, labels=ids).loss.backward()
optimizer.step()
