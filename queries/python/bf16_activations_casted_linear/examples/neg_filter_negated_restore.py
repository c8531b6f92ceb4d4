# example: same casting linear and bf16 model cast, but the loop over filter(lambda m: not isinstance(m, CastLin), model.children()) puts the OTHER parts (the embedding) back to fp32: the linears' weights stay bf16 (no fp32 masters) and the activations are fp32; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F


class CastLin(nn.Linear):
    def forward(s, x):
        return F.linear(x, s.weight.to(x.dtype))


class Net(nn.Module):
    def __init__(s, vocab=256, d=64):
        super().__init__()
        s.emb = nn.Embedding(vocab, d)
        s.fc = CastLin(d, d, bias=False)
        s.head = CastLin(d, vocab, bias=False)

    def forward(s, idx, tgt):
        logits = s.head(F.relu(s.fc(s.emb(idx))).square()).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


model = Net().cuda().bfloat16()
for m in filter(lambda m: not isinstance(m, CastLin), model.children()):
    m.float()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(10):
    idx = torch.randint(0, 256, (4, 32), device="cuda")
    model(idx, idx).backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
