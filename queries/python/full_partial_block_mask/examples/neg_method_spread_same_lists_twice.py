# example: near miss - the builder spreads the same "any visible" block lists twice (*self._lists(reach), *self._lists(reach)): the full-block slots repeat the partial ones, so no block is skipped; negative.
import torch
from torch.nn.attention.flex_attention import BlockMask


class DocMasks:
    def __init__(self, block=128):
        self.block = block

    @staticmethod
    def _lists(blocks):
        b = blocks.to(torch.int32)
        counts = b.sum(dim=-1, dtype=torch.int32)
        order = torch.argsort(b, dim=-1, descending=True, stable=True).to(torch.int32)
        return counts[None, None].contiguous(), order[None, None].contiguous()

    def build(self, tokens):
        doc = (tokens == 50256).cumsum(0)
        n = len(tokens) // self.block
        pos = torch.arange(n, device=tokens.device)
        first, last = doc.view(n, self.block)[:, 0], doc.view(n, self.block)[:, -1]
        reach = (pos[:, None] >= pos[None, :]) & (first[:, None] <= last[None, :]) & (first[None, :] <= last[:, None])
        whole = (pos[:, None] > pos[None, :]) & (first[:, None] == last[None, :]) & (first[None, :] == last[:, None])
        partial = reach & ~whole

        def same_doc_causal(b, h, q, kv):
            return (q >= kv) & (doc[q] == doc[kv])

        return BlockMask.from_kv_blocks(*self._lists(reach), *self._lists(reach), BLOCK_SIZE=self.block, mask_mod=same_doc_causal)
