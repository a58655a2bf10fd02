// Package vision holds image classifiers for the paper's Sec. 4.2 comparison
// (Zhuang et al. 2020, "Adaptive Checkpoint Adjoint Method for Gradient
// Estimation in Neural ODE", Tables 2–3, Fig. 7): a small ResNet whose residual
// blocks compute y = x + f(x), and its neural-ODE counterpart whose blocks
// compute z(1) = z(0) + ∫₀¹ f(z) dt with the same f, trained through package
// aca with ACA, the adjoint method or naive backpropagation and any tableau.
//
// Layers work on row-major NCHW batches ([]float64 of n·C·H·W) and keep what
// their backward pass needs inside the layer value, so a layer value serves one
// forward/backward pair at a time. Backward adds: dx += (∂y/∂x)ᵀ·dy and
// dθ += (∂y/∂θ)ᵀ·dy. Parameters of a whole model live in one flat θ laid out by
// learned.Layout.
//
// Convolutions compute per sample one matrix product on the patch (im2col)
// matrix with gonum's BLAS, in float64 or, with Config.Float32, in float32
// (the products about 1.8× faster, a NODE training step about 1.25×;
// inputs, outputs and gradients stay float64).
//
// Work over the batch is split into fixed chunks of samples that goroutines
// take in any order; each chunk accumulates its parameter gradient in its own
// buffer and the chunks are summed in chunk order, so results do not depend on
// scheduling or on GOMAXPROCS.
//
// Normalisation inside an ODE block. BatchNorm couples the samples of a batch
// and, in training mode, changes its running statistics at every evaluation of
// f, so f would not be a fixed function of the state. ODE blocks therefore use
// GroupNorm, a per-sample normalisation that is a pure function of z with the
// same γ, β per channel as BatchNorm: the NODE and the ResNet have exactly the
// same parameter count. The ResNet's blocks use BatchNorm as usual.
//
// Training (Train) is minibatch SGD with momentum, weight decay and a cosine
// (or step) learning-rate schedule, on images mirrored left–right at random
// and, optionally, randomly shifted by a few pixels (a crop of the
// zero-padded image; Augment). The random draws are a pure function of the
// seed, the epoch and the image index, so a seed gives the same parameters on
// any number of cores.
//
// Data: IDX (MNIST, Fashion-MNIST; Y. LeCun's format) and the CIFAR-10/100
// binary formats (A. Krizhevsky), and a stratified Fashion-MNIST subset shipped
// in testdata/ (see testdata/README.md).
package vision
