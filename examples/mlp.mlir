// A two-layer perceptron (784-128-10), the MLC course's end-to-end model, at batch 4.
// Weights are arguments in (in, out) layout: y = softmax(relu(x @ w0 + b0) @ w1 + b1).
//
//   mlc-opt examples/mlp.mlir                 # parse, verify, print
//   mlc-run examples/mlp.mlir -e main --interpret --random-inputs
func.func @main(%x: tensor<4x784xf32>, %w0: tensor<784x128xf32>, %b0: tensor<128xf32>,
                %w1: tensor<128x10xf32>, %b1: tensor<10xf32>) -> tensor<4x10xf32> {
  %probs = graph.dataflow -> tensor<4x10xf32> {
    %h0 = graph.matmul %x, %w0 : (tensor<4x784xf32>, tensor<784x128xf32>) -> tensor<4x128xf32>
    %h1 = graph.add %h0, %b0 : (tensor<4x128xf32>, tensor<128xf32>) -> tensor<4x128xf32>
    %h2 = graph.relu %h1 : tensor<4x128xf32>
    %h3 = graph.matmul %h2, %w1 : (tensor<4x128xf32>, tensor<128x10xf32>) -> tensor<4x10xf32>
    %h4 = graph.add %h3, %b1 : (tensor<4x10xf32>, tensor<10xf32>) -> tensor<4x10xf32>
    %p = graph.softmax %h4 {axis = 1 : i64} : tensor<4x10xf32>
    graph.output %p : tensor<4x10xf32>
  }
  func.return %probs : tensor<4x10xf32>
}
