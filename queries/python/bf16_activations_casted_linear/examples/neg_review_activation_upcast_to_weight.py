# example: the autograd Function casts the ACTIVATION up to the fp32 weight dtype (x.to(w.dtype)), i.e. fp32 matmuls; weight never cast to bf16; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class _CastMM(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w):
        x32 = x.to(w.dtype)
        ctx.save_for_backward(x32, w)
        ctx.w_dtype = w.dtype
        ctx.x_dtype = x.dtype
        return F.linear(x32, w).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, w16 = ctx.saved_tensors
        g = g.to(w16.dtype)
        gx = g @ w16
        gw = g.flatten(0, -2).t() @ x.flatten(0, -2)
        return gx.to(ctx.x_dtype), gw


class MasterLinear(nn.Linear):
    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out, bias=False)

    def forward(self, x):
        return _CastMM.apply(x, self.weight)


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = MasterLinear(dim, 4 * dim)
        self.proj = MasterLinear(4 * dim, dim)

    def forward(self, x):
        return x + self.proj(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=6):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(Block(dim) for _ in range(depth))
        self.lm_head = MasterLinear(dim, vocab)

    def forward(self, idx, targets):
        x = self.embed(idx)
        for blk in self.blocks:
            x = blk(x)
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = Model()
model = model.cuda().bfloat16()
for m in model.modules():
    if isinstance(m, MasterLinear):
        m.float()
opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
for step in range(100):
    idx = torch.randint(0, 50304, (8, 1024), device="cuda")
    loss = model(idx[:, :-1], idx[:, 1:])
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
