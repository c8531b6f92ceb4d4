# example: near miss - 0.0018 appears as an unused "tuned" constant and inside the final-LR expression, but the AdamW peak actually used is 0.0015; negative (the value never reaches the peak lr).
import torch

TUNED_LR = 0.0018  # tried in a sweep, not adopted
learning_rate = 0.0015
final_lr = 0.0018 / 10
warmup = 256
total = 24576

model = torch.nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, betas=(0.9, 0.95), weight_decay=0.1)


def get_lr(it):
    if it < warmup:
        return learning_rate * (it + 1) / warmup
    frac = (it - warmup) / (total - warmup)
    return final_lr + (learning_rate - final_lr) * (1 - frac)


for it in range(total):
    for pg in optimizer.param_groups:
        pg["lr"] = get_lr(it)
