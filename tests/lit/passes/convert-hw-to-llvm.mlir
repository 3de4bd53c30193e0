// RUN: %mlc-opt %s --split-input-file -p convert-hw-to-llvm | %filecheck %s

// A launch becomes a GOMP_parallel call on an outlined thread function. Captures travel in an
// array of i64 slots on the caller's stack: the memref as a pointer, the index as i64, the
// float by its bits. The thread count is read at call time (no `threads`).
// CHECK-LABEL: func.func @launch(
// CHECK-NEXT:    %[[N:.*]] = arith.constant 3 : i64
// CHECK-NEXT:    %[[DATA:.*]] = llvm.alloca %[[N]] x i64 {alignment = 8 : i64} : (i64) -> !llvm.ptr
// CHECK:         %[[AP:.*]] = builtin.unrealized_conversion_cast %A : memref<64xf32> to !llvm.ptr
// CHECK-NEXT:    %[[AI:.*]] = llvm.ptrtoint %[[AP]] : !llvm.ptr to i64
// CHECK-NEXT:    %[[S0:.*]] = llvm.getelementptr %[[DATA]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK-NEXT:    llvm.store %[[AI]], %[[S0]] {alignment = 8 : i64} : i64, !llvm.ptr
// CHECK:         %[[XB:.*]] = llvm.bitcast %x : f32 to i32
// CHECK-NEXT:    %[[XW:.*]] = llvm.zext %[[XB]] : i32 to i64
// CHECK:         %[[FN:.*]] = llvm.mlir.addressof @launch_parallel_0 : !llvm.ptr
// CHECK-NEXT:    %[[NT:.*]] = func.call @__mlc_num_threads() : () -> i32
// CHECK-NEXT:    %[[FLAGS:.*]] = arith.constant 0 : i32
// CHECK-NEXT:    func.call @GOMP_parallel(%[[FN]], %[[DATA]], %[[NT]], %[[FLAGS]]) : (!llvm.ptr, !llvm.ptr, i32, i32) -> ()
// CHECK-NOT:     hw.
// CHECK:       func.func private @GOMP_parallel(!llvm.ptr, !llvm.ptr, i32, i32) -> ()
// CHECK:       func.func private @__mlc_num_threads() -> i32 {
// CHECK:         func.call @getenv
// CHECK:         func.call @omp_get_num_procs() : () -> i32
// CHECK:         func.call @atoi
// The thread function: its id and the team size, its static chunk, the captures, the body.
// CHECK:       func.func private @launch_parallel_0(%data: !llvm.ptr) {
// CHECK-NEXT:    %[[T:.*]] = func.call @omp_get_thread_num() : () -> i32
// CHECK-NEXT:    %tid = arith.index_cast %[[T]] : i32 to index
// CHECK-NEXT:    %[[C:.*]] = func.call @omp_get_num_threads() : () -> i32
// CHECK-NEXT:    %nthreads = arith.index_cast %[[C]] : i32 to index
// CHECK-NEXT:    %[[E:.*]] = arith.constant 64 : index
// CHECK-NEXT:    %[[CHUNK:.*]] = arith.ceildivsi %[[E]], %nthreads : index
// CHECK:         %lo = arith.addi
// CHECK:         %hi = arith.addi
// CHECK:         %[[W0:.*]] = llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr -> i64
// CHECK-NEXT:    %[[P0:.*]] = llvm.inttoptr %[[W0]] : i64 to !llvm.ptr
// CHECK-NEXT:    %a = builtin.unrealized_conversion_cast %[[P0]] : !llvm.ptr to memref<64xf32>
// CHECK:         %n = builtin.unrealized_conversion_cast %{{.*}} : i64 to index
// CHECK:         %[[XT:.*]] = llvm.trunc %{{.*}} : i64 to i32
// CHECK-NEXT:    %y = llvm.bitcast %[[XT]] : i32 to f32
// CHECK:         scf.for %[[I:.*]] = %lo to %hi step %{{.*}} {
// CHECK-NEXT:      memref.store %y, %a[%[[I]]] : memref<64xf32>
// CHECK:         func.return
func.func @launch(%A: memref<64xf32>, %N: index, %x: f32) {
  hw.parallel_launch (%tid, %nthreads) range(%lo, %hi) = 0 to 64 step 1 captures(%a = %A : memref<64xf32>, %n = %N : index, %y = %x : f32) {
    %c1 = arith.constant 1 : index
    scf.for %i = %lo to %hi step %c1 {
      memref.store %y, %a[%i] : memref<64xf32>
    }
  }
  func.return
}

// -----

// A fixed thread count is a constant; no captures pass a null data pointer.
// CHECK-LABEL: func.func @fixed_threads(
// CHECK-NEXT:    %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT:    %[[FN:.*]] = llvm.mlir.addressof @fixed_threads_parallel_0 : !llvm.ptr
// CHECK-NEXT:    %[[NT:.*]] = arith.constant 2 : i32
// CHECK:         func.call @GOMP_parallel(%[[FN]], %[[NULL]], %[[NT]], %{{.*}})
// CHECK-NOT:     __mlc_num_threads
func.func @fixed_threads() {
  hw.parallel_launch (%tid, %nthreads) range(%lo, %hi) = 0 to 4 step 1 threads 2 {
  }
  func.return
}

// -----

// A prefetch is llvm.prefetch on the element's address (read, locality 3, data cache).
// CHECK-LABEL: func.func @prefetch(
// CHECK:         %[[P:.*]] = llvm.getelementptr inbounds %{{.*}}[%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:         llvm.call_intrinsic "llvm.prefetch.p0"(%[[P]], %{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, i32, i32, i32) -> ()
func.func @prefetch(%A: memref<64x64xf32>, %i: index, %j: index) {
  hw.prefetch %A[%i, %j] {is_write = false, locality = 3 : i32} : memref<64x64xf32>
  func.return
}

// -----

// A micro-kernel is expanded in place: C[2x8] += A[2x1] @ B[1x8] as one FMA per row.
// CHECK-LABEL: func.func @microkernel(
// CHECK:         %[[ACC:.*]] = vector.load %C[%i, %j] : memref<16x16xf32>, vector<8xf32>
// CHECK-NEXT:    %[[A:.*]] = memref.load %A[%i, %k] : memref<16x16xf32>
// CHECK-NEXT:    %[[AB:.*]] = vector.broadcast %[[A]] : f32 to vector<8xf32>
// CHECK-NEXT:    %[[B:.*]] = vector.load %B[%k, %j] : memref<16x16xf32>, vector<8xf32>
// CHECK-NEXT:    %[[F:.*]] = vector.fma %[[AB]], %[[B]], %[[ACC]] : vector<8xf32>
// CHECK-NEXT:    vector.store %[[F]], %C[%i, %j] : memref<16x16xf32>, vector<8xf32>
// CHECK:         vector.fma
// CHECK-NOT:     hw.microkernel
func.func @microkernel(%A: memref<16x16xf32>, %B: memref<16x16xf32>, %C: memref<16x16xf32>, %i: index, %j: index, %k: index) {
  hw.microkernel "mlc.matmul_acc_2x8x1_f32"(%A[%i, %k], %B[%k, %j], %C[%i, %j]) : memref<16x16xf32>, memref<16x16xf32>, memref<16x16xf32>
  func.return
}

// -----

// The lane-wise vector ops become llvm's compares, select and casts on the same vectors;
// index lanes are bridged to i64.
// CHECK-LABEL: func.func @vector_ops
// CHECK-NEXT:    %[[M:.*]] = llvm.fcmp "olt" %a, %b : vector<8xf32>
// CHECK-NEXT:    %[[N:.*]] = llvm.icmp "ult" %i, %j : vector<8xi32>
// CHECK-NEXT:    %[[S:.*]] = llvm.select %[[M]], %a, %b : vector<8xi1>, vector<8xf32>
// CHECK-NEXT:    %[[F:.*]] = llvm.uitofp %i : vector<8xi32> to vector<8xf32>
// CHECK-NEXT:    %[[I:.*]] = llvm.fptosi %a : vector<8xf32> to vector<8xi32>
// CHECK-NEXT:    %[[W:.*]] = llvm.sext %i : vector<8xi32> to vector<8xi64>
// CHECK-NEXT:    %[[P:.*]] = builtin.unrealized_conversion_cast %p : vector<8xindex> to vector<8xi64>
// CHECK-NEXT:    %[[Q:.*]] = builtin.unrealized_conversion_cast %q : vector<8xindex> to vector<8xi64>
// CHECK-NEXT:    %{{.*}} = llvm.icmp "slt" %[[P]], %[[Q]] : vector<8xi64>
// CHECK-NEXT:    func.return
func.func @vector_ops(%a: vector<8xf32>, %b: vector<8xf32>, %i: vector<8xi32>,
                      %j: vector<8xi32>, %p: vector<8xindex>, %q: vector<8xindex>) {
  %m = hw.vcmpf "olt", %a, %b : vector<8xf32> -> vector<8xi1>
  %n = hw.vcmpi "ult", %i, %j : vector<8xi32> -> vector<8xi1>
  %s = hw.vselect %m, %a, %b : vector<8xi1>, vector<8xf32>
  %f = hw.vcast "uitofp" %i : vector<8xi32> to vector<8xf32>
  %k = hw.vcast "fptosi" %a : vector<8xf32> to vector<8xi32>
  %e = hw.vcast "extsi" %i : vector<8xi32> to vector<8xi64>
  %x = hw.vcmpi "slt", %p, %q : vector<8xindex> -> vector<8xi1>
  func.return
}
