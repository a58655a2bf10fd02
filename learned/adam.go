package learned

import (
	"math"

	"github.com/physid/physid/internal/adam"
	"gonum.org/v1/gonum/floats"
)

// Schedule scales the learning rate with the step count, so that decay is a
// value passed to the optimizer rather than code in every training loop.
type Schedule interface {
	// LR returns the learning rate for the given step (0 for the first update)
	// when the base rate is base.
	LR(base float64, step int) float64
}

// ExponentialDecay multiplies the rate by Rate every Every steps, in whole
// stages: lr = base·Rate^⌊step/Every⌋. With Every set to the number of batches
// per epoch this is the per-epoch decay of the paper's three-body training.
type ExponentialDecay struct {
	Rate  float64 // factor per stage, e.g. 0.99
	Every int     // steps per stage; 0 means 1
}

// LR returns base·Rate^⌊step/Every⌋.
func (d ExponentialDecay) LR(base float64, step int) float64 {
	every := max(d.Every, 1)
	return base * math.Pow(d.Rate, float64(step/every))
}

// ScheduleFunc adapts a function to a Schedule.
type ScheduleFunc func(base float64, step int) float64

// LR returns f(base, step).
func (f ScheduleFunc) LR(base float64, step int) float64 { return f(base, step) }

// Adam is the Adam optimizer (Kingma & Ba 2015) with bias-corrected moments
// and, when WeightDecay > 0, decoupled weight decay (AdamW, Loshchilov &
// Hutter 2019): θ ← θ − lr·(m̂/(√v̂ + ε) + WeightDecay·θ). The moments are
// allocated on the first Step and reused, so Step allocates nothing after it.
// The zero value is ready to use with the defaults below.
type Adam struct {
	LR          float64  // base learning rate; 0 means 1e-3
	Beta1       float64  // first-moment decay; 0 means 0.9
	Beta2       float64  // second-moment decay; 0 means 0.999
	Eps         float64  // denominator guard; 0 means 1e-8
	WeightDecay float64  // decoupled decay per unit learning rate; 0 means none
	Schedule    Schedule // learning rate by step; nil means constant LR

	m, v []float64
	t    int
}

// Steps is the number of updates made so far.
func (a *Adam) Steps() int { return a.t }

// Reset forgets the moments and the step count, keeping the settings.
func (a *Adam) Reset() {
	a.t = 0
	clear(a.m)
	clear(a.v)
}

// CurrentLR is the learning rate the next Step will use.
func (a *Adam) CurrentLR() float64 {
	lr := a.LR
	if lr == 0 {
		lr = 1e-3
	}
	if a.Schedule != nil {
		lr = a.Schedule.LR(lr, a.t)
	}
	return lr
}

// Step moves theta against grad by one Adam update. grad is read, not changed.
// It panics when the lengths differ or change between calls.
func (a *Adam) Step(theta, grad []float64) {
	if len(theta) != len(grad) {
		panic("learned: Adam.Step: len(theta) != len(grad)")
	}
	if a.m == nil {
		a.m, a.v = make([]float64, len(theta)), make([]float64, len(theta))
	} else if len(a.m) != len(theta) {
		panic("learned: Adam.Step: the parameter vector changed length; call Reset on a new Adam")
	}
	b1, b2, eps := a.Beta1, a.Beta2, a.Eps
	if b1 == 0 {
		b1 = 0.9
	}
	if b2 == 0 {
		b2 = 0.999
	}
	if eps == 0 {
		eps = 1e-8
	}
	lr := a.CurrentLR()
	a.t++
	adam.Step(theta, grad, a.m, a.v, a.t, adam.Params{LR: lr, Beta1: b1, Beta2: b2, Eps: eps, WeightDecay: a.WeightDecay})
}

// ClipGlobalNorm scales grad in place so that its Euclidean norm is at most
// maxNorm (Pascanu et al. 2013) and returns the norm before clipping. Because
// every parameter of a model is in one vector, this is the global norm over
// all layers. A maxNorm ≤ 0 leaves grad unchanged.
func ClipGlobalNorm(grad []float64, maxNorm float64) float64 {
	n := floats.Norm(grad, 2)
	if maxNorm > 0 && n > maxNorm {
		floats.Scale(maxNorm/n, grad)
	}
	return n
}
