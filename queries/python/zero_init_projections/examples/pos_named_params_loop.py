# example: after building the model, a loop over named_parameters() sets every 'out_proj.weight' and 'fc_out.weight' to zero under no_grad with fill_(0); positive (post-hoc init by parameter name).
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, 12, bias=False, batch_first=True)
        self.fc_in = nn.Linear(d, 4 * d, bias=False)
        self.fc_out = nn.Linear(4 * d, d, bias=False)

    def forward(self, x, mask):
        x = x + self.attn(x, x, x, attn_mask=mask, need_weights=False)[0]
        return x + self.fc_out(torch.relu(self.fc_in(x)).square())


model = nn.ModuleList(Block() for _ in range(12))
with torch.no_grad():
    for name, param in model.named_parameters():
        if name.endswith("attn.out_proj.weight") or name.endswith("fc_out.weight"):
            param.fill_(0)
