# example: the casting linear's forward names its instance `s` (`s.weight.to(x.dtype)`), the model is cast with .bfloat16() and the casting linears are put back to fp32 in a loop over filter(lambda m: isinstance(m, CastLin), ...); no autocast; present.
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
        x = F.rms_norm(s.emb(idx), (s.emb.embedding_dim,))
        logits = s.head(F.relu(s.fc(x)).square()).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))


model = Net().cuda().bfloat16()
for m in filter(lambda m: isinstance(m, CastLin), model.modules()):
    m.float()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(10):
    idx = torch.randint(0, 256, (4, 32), device="cuda")
    loss = model(idx, idx)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
