# example: a template method: the base policy's __call__ orders the block maps and builds the BlockMask, calling a hook each subclass writes (self.block_rules); the subclass bounds the block-index difference by a window counted in blocks, and its token-level mask_mod (from self.token_rule) has no window.
import abc
import torch
from torch.nn.attention.flex_attention import BlockMask


class BlockMaskPolicy(abc.ABC):
    BLOCK_SIZE = 128

    @abc.abstractmethod
    def token_rule(self, docs):
        ...

    @abc.abstractmethod
    def block_rules(self, docs_low, docs_high, window_blocks):
        ...

    @staticmethod
    def dense_to_ordered(dense):
        dense = dense.to(torch.int32)
        counts = dense.sum(dim=-1, dtype=torch.int32)
        order = dense.argsort(dim=-1, descending=True, stable=True).to(torch.int32)
        return counts[None, None].contiguous(), order[None, None].contiguous()

    def __call__(self, idx, window_blocks):
        docs = (idx == 50256).cumsum(0)
        per_block = docs.reshape(-1, self.BLOCK_SIZE)
        any_visible, all_visible = self.block_rules(per_block[:, 0], per_block[:, -1], window_blocks)
        partial_num, partial_idx = self.dense_to_ordered(any_visible & ~all_visible)
        full_num, full_idx = self.dense_to_ordered(all_visible)
        return BlockMask.from_kv_blocks(partial_num, partial_idx, full_num, full_idx,
                                        BLOCK_SIZE=self.BLOCK_SIZE, mask_mod=self.token_rule(docs))


class DocumentCausalBlockWindow(BlockMaskPolicy):
    def token_rule(self, docs):
        def document_causal(b, h, q_idx, kv_idx):
            return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx])
        return document_causal

    def block_rules(self, docs_low, docs_high, window_blocks):
        kv_blk = torch.arange(docs_low.numel(), dtype=torch.int32, device=docs_low.device)
        q_blk = kv_blk[:, None]
        in_window = q_blk - kv_blk < window_blocks
        any_visible = (q_blk >= kv_blk) & (docs_low[:, None] <= docs_high) & in_window
        all_visible = (q_blk > kv_blk) & (docs_low[:, None] == docs_high) & (docs_low == docs_high[:, None]) & in_window
        return any_visible, all_visible


mask_policy = DocumentCausalBlockWindow()
