# example: the model's forward ends with return self.readout(h).float(), and the training loop feeds model(x).view(-1, V) straight into F.cross_entropy under bf16 autocast; positive (the upcast sits in the model, not beside the loss).
import torch
import torch.nn as nn
import torch.nn.functional as F

V, D = 50304, 512


class TinyLM(nn.Module):
    def __init__(self, vocab=V, dim=D, depth=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(dim, 8, 4 * dim, batch_first=True, norm_first=True) for _ in range(depth)
        )
        self.norm = nn.LayerNorm(dim)
        self.readout = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        causal = nn.Transformer.generate_square_subsequent_mask(idx.size(1), device=idx.device)
        h = self.tok(idx)
        for layer in self.layers:
            h = layer(h, src_mask=causal, is_causal=True)
        h = self.norm(h)
        return self.readout(h).float()


tokens = torch.randint(0, V, (1_000_000,), device="cuda")
model = TinyLM().cuda()
opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
for step in range(1000):
    start = torch.randint(0, tokens.numel() - 257, (8,), device="cuda")
    rows = torch.stack([tokens[s: s + 257] for s in start.tolist()])
    x, y = rows[:, :-1], rows[:, 1:]
    with torch.autocast("cuda", dtype=torch.bfloat16):
        loss = F.cross_entropy(model(x).view(-1, V), y.reshape(-1))
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
