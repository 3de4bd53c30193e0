"""Graph-level operator fusion (TVM Relax's AnnotateTIROpPattern + FuseOps + FuseTIR).

- `patterns`: the op pattern of a tensor kernel (elementwise ... opaque), read off its blocks;
- `grouping`: which `graph.call_tir`s of a block fuse, by post-dominator rules;
- `fuse_tir`: one tensor kernel per group, with the stages between members inlined.

The `graph-fuse` pass (passes/graph_fuse.py) puts them together with the public pass API.
"""
