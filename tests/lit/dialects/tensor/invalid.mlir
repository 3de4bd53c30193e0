// RUN: %mlc-opt %s --split-input-file --verify-diagnostics

// One case per verifier and syntax rule of the tensor dialect.

// =============================== Iterators and bindings ===============================

// Iterator kinds are spatial or reduce.
func.func @bad_iter_kind(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op iterator kind must be 'spatial' or 'reduce', got 'parallel'}}
    "tensor.block"(%i, %A) <{block_name = "B", iterator_types = ["parallel"], domains = array<i64: 8>, bindings = affine_map<(d0) -> (d0)>, read_regions = [], write_regions = [#tensor.region<affine_map<(d0) -> (d0)>>], operandSegmentSizes = array<i32: 1, 0, 1>}> ({
    ^bb0(%vi: index):
    }) : (index, memref<8xf32>) -> ()
  }
  func.return
}

// -----

// Iterator types, domains, bindings and body arguments agree in number.
func.func @iter_counts(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op iterator counts differ: iterator_types has 1, domains has 2, bindings has 1, body arguments has 1}}
    "tensor.block"(%i, %A) <{block_name = "B", iterator_types = ["spatial"], domains = array<i64: 8, 8>, bindings = affine_map<(d0) -> (d0)>, read_regions = [], write_regions = [#tensor.region<affine_map<(d0) -> (d0)>>], operandSegmentSizes = array<i32: 1, 0, 1>}> ({
    ^bb0(%vi: index):
    }) : (index, memref<8xf32>) -> ()
  }
  func.return
}

// -----

// Iterator values are indices.
func.func @iter_type(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op body argument #0 must be an 'index' iterator value, got i32}}
    "tensor.block"(%i, %A) <{block_name = "B", iterator_types = ["spatial"], domains = array<i64: 8>, bindings = affine_map<(d0) -> (d0)>, read_regions = [], write_regions = [#tensor.region<affine_map<(d0) -> (d0)>>], operandSegmentSizes = array<i32: 1, 0, 1>}> ({
    ^bb0(%vi: i32):
    }) : (index, memref<8xf32>) -> ()
  }
  func.return
}

// -----

// A domain is not empty.
func.func @empty_domain(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op iterator %vi has an empty domain: extent 0}}
    tensor.block "B"(%vi = spatial(0, %i)) reads() writes(%A[%vi]) {
    }
  }
  func.return
}

// -----

// The bindings map has one dimension per binding value.
func.func @binding_dims(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op bindings map has 2 dimensions and 0 symbols but the block has 1 binding values}}
    "tensor.block"(%i, %A) <{block_name = "B", iterator_types = ["spatial"], domains = array<i64: 8>, bindings = affine_map<(d0, d1) -> (d0)>, read_regions = [], write_regions = [#tensor.region<affine_map<(d0) -> (d0)>>], operandSegmentSizes = array<i32: 1, 0, 1>}> ({
    ^bb0(%vi: index):
    }) : (index, memref<8xf32>) -> ()
  }
  func.return
}

// -----

// A binding stays inside its domain (checked where the loop bounds are known).
func.func @binding_out_of_domain(%A: memref<128xf32>) {
  loops.for %i = 0 to 128 {
    // expected-error @+1 {{'tensor.block' op binding of iterator %vi ranges over [0, 128) but its domain is [0, 64)}}
    tensor.block "B"(%vi = spatial(64, %i)) reads() writes(%A[%vi]) {
    }
  }
  func.return
}

// -----

// An imperfect split (130 by 4) overshoots the domain: it needs a predicate.
func.func @imperfect_without_predicate(%A: memref<130xf32>) {
  loops.for %i0 = 0 to 33 {
    loops.for %i1 = 0 to 4 {
      // expected-error @+1 {{'tensor.block' op binding of iterator %vi ranges over [0, 132) but its domain is [0, 130)}}
      tensor.block "B"(%vi = spatial(130, %i0 * 4 + %i1)) reads() writes(%A[%vi]) {
      }
    }
  }
  func.return
}

// -----

// =============================== Access regions ===============================

// A region has one index per buffer dimension.
func.func @region_rank(%A: memref<8x8xf32>, %B: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op access region of %A in reads has 1 indices but the buffer has rank 2 (memref<8x8xf32>)}}
    tensor.block "B"(%vi = spatial(8, %i)) reads(%A[%vi]) writes(%B[%vi]) {
    }
  }
  func.return
}

// -----

// A region stays inside the buffer.
func.func @region_bounds(%A: memref<8xf32>, %B: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op access region of %A in reads covers [1, 9) in dimension 0 but the buffer has size 8 (memref<8xf32>)}}
    tensor.block "B"(%vi = spatial(8, %i)) reads(%A[%vi + 1]) writes(%B[%vi]) {
    }
  }
  func.return
}

// -----

// A region is over the block's iterators.
func.func @region_dims(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op access region of %A in writes is over 2 iterators but the block has 1}}
    "tensor.block"(%i, %A) <{block_name = "B", iterator_types = ["spatial"], domains = array<i64: 8>, bindings = affine_map<(d0) -> (d0)>, read_regions = [], write_regions = [#tensor.region<affine_map<(d0, d1) -> (d0)>>], operandSegmentSizes = array<i32: 1, 0, 1>}> ({
    ^bb0(%vi: index):
    }) : (index, memref<8xf32>) -> ()
  }
  func.return
}

// -----

// Each buffer has its region.
func.func @region_count(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op writes has 1 buffers but 0 access regions}}
    "tensor.block"(%i, %A) <{block_name = "B", iterator_types = ["spatial"], domains = array<i64: 8>, bindings = affine_map<(d0) -> (d0)>, read_regions = [], write_regions = [], operandSegmentSizes = array<i32: 1, 0, 1>}> ({
    ^bb0(%vi: index):
    }) : (index, memref<8xf32>) -> ()
  }
  func.return
}

// -----

// Region extents are positive and one per index.
func.func @region_extents(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{tensor.region has 1 start indices but 2 extents}}
    "tensor.block"(%i, %A) <{block_name = "B", iterator_types = ["spatial"], domains = array<i64: 8>, bindings = affine_map<(d0) -> (d0)>, read_regions = [], write_regions = [#tensor.region<affine_map<(d0) -> (d0)>, [1, 1]>], operandSegmentSizes = array<i32: 1, 0, 1>}> ({
    ^bb0(%vi: index):
    }) : (index, memref<8xf32>) -> ()
  }
  func.return
}

// -----

// =============================== Reductions ===============================

// A reduce iterator may not index the written buffer.
func.func @reduce_indexes_output(%A: memref<8xf32>, %S: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %k = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op reduce iterator %vk indexes the written buffer %S; reduce iterators may only drive reductions}}
    tensor.block "S"(%vk = reduce(8, %k)) reads(%A[%vk]) writes(%S[%vk]) {
      tensor.init {
      }
    }
  }
  func.return
}

// -----

// A reduction needs an init (or must read what it writes, as an update block does).
func.func @reduce_without_init(%A: memref<8xf32>, %S: memref<f32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %k = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op block "S" has reduce iterators (%vk) but neither a tensor.init nor a read of the buffer it writes}}
    tensor.block "S"(%vk = reduce(8, %k)) reads(%A[%vk]) writes(%S[]) {
      %a = memref.load %A[%vk] : memref<8xf32>
      memref.store %a, %S[] : memref<f32>
    }
  }
  func.return
}

// -----

// A store may not be indexed by a reduce iterator.
func.func @store_with_reduce_index(%A: memref<8xf32>, %S: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %k = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op body stores with reduce iterator %vk as an index; reduce iterators may only drive reductions}}
    tensor.block "S"(%vk = reduce(8, %k)) reads(%A[%vk]) writes(%S[0 : 8]) {
      tensor.init {
      }
      %a = memref.load %A[%vk] : memref<8xf32>
      memref.store %a, %S[%vk] : memref<8xf32>
    }
  }
  func.return
}

// -----

// tensor.init is the first operation of the block.
func.func @init_not_first(%A: memref<8xf32>, %S: memref<f32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %k = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op tensor.init must be the first operation of the block body}}
    tensor.block "S"(%vk = reduce(8, %k)) reads(%A[%vk]) writes(%S[]) {
      %a = memref.load %A[%vk] : memref<8xf32>
      tensor.init {
      }
    }
  }
  func.return
}

// -----

// tensor.init only appears in a block.
func.func @init_outside_block() {
  // expected-error @+1 {{'tensor.init' expects parent op 'tensor.block'}}
  tensor.init {
  }
  func.return
}

// -----

// =============================== Body accesses and inputs ===============================

// The body stores only to buffers in writes(...).
func.func @store_undeclared(%A: memref<8xf32>, %B: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op body stores to %A, which is not declared in writes(...)}}
    tensor.block "B"(%vi = spatial(8, %i)) reads(%A[%vi]) writes(%B[%vi]) {
      %a = memref.load %A[%vi] : memref<8xf32>
      memref.store %a, %A[%vi] : memref<8xf32>
    }
  }
  func.return
}

// -----

// The body loads only from declared buffers.
func.func @load_undeclared(%A: memref<8xf32>, %B: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op body loads from %A, which is not declared in reads(...) or writes(...)}}
    tensor.block "B"(%vi = spatial(8, %i)) reads() writes(%B[%vi]) {
      %a = memref.load %A[%vi] : memref<8xf32>
      memref.store %a, %B[%vi] : memref<8xf32>
    }
  }
  func.return
}

// -----

// Inputs of a tensor function are never written.
func.func @writes_input(%A: memref<8xf32>, %B: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'tensor.block' op writes %A, argument #0 of @writes_input, which is an input (tensor.num_inputs = 1); inputs are never written}}
    tensor.block "B"(%vi = spatial(8, %i)) reads(%B[%vi]) writes(%A[%vi]) {
      %b = memref.load %B[%vi] : memref<8xf32>
      memref.store %b, %A[%vi] : memref<8xf32>
    }
  }
  func.return
}

// -----

// =============================== Syntax ===============================

// Regions name the block's iterators, not outer values.
func.func @region_names_loop(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{'%i' is not an iterator of block "B"}}
    tensor.block "B"(%vi = spatial(8, %i)) reads() writes(%A[%i]) {
    }
  }
  func.return
}

// -----

// A range has a constant width.
func.func @range_width(%A: memref<8x8xf32>, %B: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{a region range 'start:stop' must have a constant positive width}}
    tensor.block "B"(%vi = spatial(8, %i)) reads(%A[%vi, 0 : %vi]) writes(%B[%vi]) {
    }
  }
  func.return
}

// -----

// Iterator kinds are spelled spatial or reduce.
func.func @custom_kind(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{expected iterator kind 'spatial' or 'reduce'}}
    tensor.block "B"(%vi = parallel(8, %i)) reads() writes(%A[%vi]) {
    }
  }
  func.return
}

// -----

// Predicates are comparisons.
func.func @predicate_syntax(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    // expected-error @+1 {{expected a comparison: '<', '<=', '>', '>=' or '=='}}
    tensor.block "B"(%vi = spatial(8, %i)) where(%i) reads() writes(%A[%vi]) {
    }
  }
  func.return
}

// -----

// Intermediate buffers have static shapes.
func.func @alloc_dynamic() {
  // expected-error @+1 {{'tensor.alloc_buffer' op buffer shape must be static, got memref<?xf32>}}
  %Y = tensor.alloc_buffer : memref<?xf32>
  func.return
}
