// RUN: %mlc-opt %s -t llvm | %filecheck %s --check-prefix=LLVM
// RUN: %mlc-opt %s -t asm | %filecheck %s --check-prefix=ASM

// -t llvm prints LLVM IR (before optimization); -t asm prints O3 assembly for the host.
// LLVM: define void @"scale"(ptr
// LLVM:   fmul float
// ASM: scale:
// ASM: ret
func.func @scale(%x: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c1 = arith.constant 1 : index
  %two = arith.constant 2.0 : f32
  scf.for %i = %c0 to %c16 step %c1 {
    %a = memref.load %x[%i] : memref<16xf32>
    %b = arith.mulf %a, %two : f32
    memref.store %b, %x[%i] : memref<16xf32>
  }
  func.return
}
