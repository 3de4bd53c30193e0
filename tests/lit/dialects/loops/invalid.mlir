// RUN: %mlc-opt %s --split-input-file --verify-diagnostics

// One case per verifier rule of `loops.for`.

// The kind must be one of serial, parallel, vectorized, unrolled.
func.func @bad_kind() {
  // expected-error @+1 {{'loops.for' op kind must be one of serial, parallel, vectorized, unrolled, got 'threaded'}}
  "loops.for"() <{lower_bound = 0 : index, upper_bound = 4 : index, step = 1 : index, kind = "threaded"}> ({
  ^bb0(%i: index):
  }) : () -> ()
  func.return
}

// -----

// The step must be positive.
func.func @zero_step() {
  // expected-error @+1 {{'loops.for' op step must be positive, got 0}}
  "loops.for"() <{lower_bound = 0 : index, upper_bound = 4 : index, step = 0 : index, kind = "serial"}> ({
  ^bb0(%i: index):
  }) : () -> ()
  func.return
}

// -----

// The body takes exactly one index argument.
func.func @two_ivs() {
  // expected-error @+1 {{'loops.for' op body must have exactly one 'index' argument (the induction variable), got (index, index)}}
  "loops.for"() <{lower_bound = 0 : index, upper_bound = 4 : index, step = 1 : index, kind = "serial"}> ({
  ^bb0(%i: index, %j: index):
  }) : () -> ()
  func.return
}

// -----

// An unknown kind in the custom form is reported at the kind.
func.func @custom_bad_kind() {
  // expected-error @+1 {{unknown loop kind 'threaded' (expected serial, parallel, vectorized, unrolled)}}
  loops.for %i = 0 to 4 threaded {
  }
  func.return
}
