"""Optimizers: an orthogonalised-momentum optimizer for hidden matrices,
fused Adam for everything else, and a wrapper that steps both."""
import torch
import torch.distributed as dist


def newton_schulz_orthogonalize(G, steps=5, eps=1e-7):
    """Approximate U V^T of G via a quintic Newton-Schulz iteration."""
    assert G.ndim == 2
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    flip = X.size(0) > X.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        AX = A @ X
        X = a * X + b * AX + c * (A @ AX)
    if flip:
        X = X.T
    return X


class OrthoMomentum(torch.optim.Optimizer):
    """Nesterov SGD whose update is orthogonalised before being applied.

    The orthogonalisation is spread over data-parallel ranks: rank r handles the
    params whose index i satisfies i % world_size == r, writes the result into a
    shared flat buffer, and one all-reduce distributes every update.
    """

    def __init__(self, params, lr=3.6e-4, momentum=0.95, nesterov=True, ns_steps=5,
                 split_fused_qkv=True):
        defaults = dict(lr=lr, momentum=momentum, nesterov=nesterov, ns_steps=ns_steps,
                        split_fused_qkv=split_fused_qkv)
        super().__init__(params, defaults)
        if dist.is_available() and dist.is_initialized():
            self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
        else:
            self.rank, self.world_size = 0, 1

    def _orthogonalize(self, g, group):
        rows, cols = g.shape
        if group["split_fused_qkv"] and rows == 3 * cols:
            blocks = [newton_schulz_orthogonalize(blk, group["ns_steps"]) for blk in g.split(cols)]
            o = torch.cat(blocks)
            # each square block is cols x cols
            o = o * (cols ** 0.5)
        else:
            o = newton_schulz_orthogonalize(g, group["ns_steps"])
            o = o * (max(rows, cols) ** 0.5)  # unit RMS regardless of shape
        return o

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = group["params"]
            total = sum(p.numel() for p in params)
            flat = torch.zeros(total, device=params[0].device, dtype=torch.bfloat16)
            offset = 0
            for i, p in enumerate(params):
                n = p.numel()
                if i % self.world_size == self.rank and p.grad is not None:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = torch.zeros_like(p.grad)
                    buf = state["momentum_buffer"]
                    buf.mul_(group["momentum"]).add_(p.grad)
                    g = p.grad.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
                    flat[offset: offset + n] = self._orthogonalize(g, group).flatten()
                offset += n
            if self.world_size > 1:
                dist.all_reduce(flat, op=dist.ReduceOp.SUM)
            offset = 0
            for p in params:
                n = p.numel()
                p.data.add_(flat[offset: offset + n].view_as(p.data).type_as(p.data), alpha=-group["lr"])
                offset += n


class ChainedOptimizer:
    """Holds several torch optimizers and steps them together."""

    def __init__(self, optimizers):
        self.optimizers = list(optimizers)

    @property
    def param_groups(self):
        return [g for opt in self.optimizers for g in opt.param_groups]

    def step(self):
        for opt in self.optimizers:
            opt.step()

    def zero_grad(self, set_to_none=True):
        for opt in self.optimizers:
            opt.zero_grad(set_to_none=set_to_none)

    def state_dict(self):
        return [opt.state_dict() for opt in self.optimizers]


def build_optimizer(model, args):
    """Embedding/output (tied) weight -> fused Adam; transformer matrices -> OrthoMomentum."""
    embed_params = [model.embedding.weight]
    if getattr(model, "use_learned_pos", False):
        embed_params.append(model.position_embeddings.weight)
    hidden_matrices = [p for n, p in model.layers.named_parameters() if p.ndim == 2]
    adam = torch.optim.AdamW(
        embed_params,
        lr=args.lr,
        betas=(args.adam_beta1, args.adam_beta2),
        eps=args.adam_eps,
        weight_decay=args.weight_decay,
        fused=args.use_fused_adam,
    )
    ortho = OrthoMomentum(hidden_matrices, lr=args.matrix_lr_ratio * args.lr,
                          momentum=args.ns_momentum, ns_steps=args.ns_steps)
    opt = ChainedOptimizer([adam, ortho])
    for g in opt.param_groups:
        g["initial_lr"] = g["lr"]
    return opt


class WSDScheduler:
    """warmup -> stable -> linear decay to zero."""

    def __init__(self, optimizer, total_iters, warmup_iters, decay_iters, style="wsd"):
        self.optimizer = optimizer
        self.total = total_iters
        self.warmup = warmup_iters
        self.decay = decay_iters
        self.style = style
        self.num_steps = 0

    def get_multiplier(self, it):
        if self.warmup > 0 and it < self.warmup:
            return (it + 1) / self.warmup
        if self.style == "constant":
            return 1.0
        if self.style == "linear":
            return max(0.0, (self.total - it) / max(1, self.total - self.warmup))
        if it < self.total - self.decay:
            return 1.0
        return max(0.0, (self.total - it) / self.decay)

    def step(self):
        mult = self.get_multiplier(self.num_steps)
        for g in self.optimizer.param_groups:
            g["lr"] = g["initial_lr"] * mult
        self.num_steps += 1
