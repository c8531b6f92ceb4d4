# example: the learning rate comes from os.getenv with the string default "0.0018", converted with float(); positive.
import os
import torch
import torch.nn as nn

LEARNING_RATE = float(os.getenv("LEARNING_RATE", "0.0018"))

model = nn.Linear(16, 16)
optimizer = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.95), weight_decay=0.0)
