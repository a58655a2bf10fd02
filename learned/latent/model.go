package latent

import "math/rand/v2"

// Model is a sequence model trained to reconstruct a batch from its observed
// points. Parameters live in one flat θ, as in package learned.
type Model interface {
	// Name is the model's name on the command line: rnn, gru or latent-ode.
	Name() string
	// NumParams is the length of θ.
	NumParams() int
	// Init draws θ.
	Init(theta []float64, rng *rand.Rand)
	// Loss returns the training objective on b — the MSE at every grid time,
	// seeing only the observed points, plus the KL term of a variational
	// model — and adds its
	// gradient into grad. rng draws the noise of the reparameterisation.
	Loss(grad, theta []float64, b *Batch, rng *rand.Rand) (float64, error)
	// Predict writes the reconstruction of every sequence at every grid time
	// (len(b.Grid)×b.Size×b.Dim) into dst, seeing only the observed points.
	Predict(dst, theta []float64, b *Batch) error
}
