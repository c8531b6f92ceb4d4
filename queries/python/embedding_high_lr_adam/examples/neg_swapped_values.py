# example: near miss - the literals 0.3 and 0.002 both appear in separate Adam optimizers, but 0.3 goes to the lm_head and 0.002 to the embedding; negative.
import torch
import torch.nn as nn

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))

optimizer1 = torch.optim.Adam([wte.weight], lr=0.002, betas=(0.9, 0.95), fused=True)
optimizer2 = torch.optim.Adam([lm_head.weight], lr=0.3, betas=(0.9, 0.95), fused=True)
optimizer3 = torch.optim.SGD(blocks.parameters(), lr=0.02, momentum=0.95)
optimizers = [optimizer1, optimizer2, optimizer3]
