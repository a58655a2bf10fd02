package vision

import "math"

// SGD is stochastic gradient descent with (heavy-ball) momentum and L2 weight
// decay, as in PyTorch's torch.optim.SGD: g ← ∇ + WeightDecay·θ,
// v ← Momentum·v + g, θ ← θ − lr·v, with lr from a StepLR schedule.
type SGD struct {
	// LR is the base learning rate; 0 means 0.1.
	LR float64
	// Momentum is the momentum coefficient; 0 means none.
	Momentum float64
	// WeightDecay is the L2 coefficient; 0 means none.
	WeightDecay float64
	// Schedule scales LR by epoch; the zero value keeps it constant.
	Schedule StepLR
	// Cosine, when positive, also scales LR by ½(1 + cos(π·epoch/Cosine)),
	// annealing it towards 0 over Cosine epochs (Loshchilov & Hutter 2017).
	Cosine int

	v []float64
}

// StepLR multiplies the learning rate by Gamma every Every epochs (0 means never).
type StepLR struct {
	Every int
	Gamma float64
}

// Factor returns the multiplier of the base rate in epoch (from 0).
func (s StepLR) Factor(epoch int) float64 {
	f := 1.0
	if s.Every <= 0 {
		return f
	}
	for range epoch / s.Every {
		f *= s.Gamma
	}
	return f
}

// CurrentLR returns the learning rate of epoch.
func (o *SGD) CurrentLR(epoch int) float64 {
	lr := o.LR
	if lr == 0 {
		lr = 0.1
	}
	lr *= o.Schedule.Factor(epoch)
	if o.Cosine > 0 {
		lr *= 0.5 * (1 + math.Cos(math.Pi*float64(min(epoch, o.Cosine))/float64(o.Cosine)))
	}
	return lr
}

// Step updates theta with grad (which it overwrites with the decayed gradient).
func (o *SGD) Step(theta, grad []float64, epoch int) {
	if len(o.v) != len(theta) {
		o.v = make([]float64, len(theta))
	}
	lr := o.CurrentLR(epoch)
	for i, g := range grad {
		g += o.WeightDecay * theta[i]
		o.v[i] = o.Momentum*o.v[i] + g
		theta[i] -= lr * o.v[i]
	}
}
