package reverse

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/learned/vision"
)

// The convolution experiment (paper Fig. 5): dz/dt = K ⋆ z on a 28×28 image
// with a random 3×3 kernel K (entries N(0, 1), seeded), solved forward to T
// and back from z(T) as the adjoint method does. The kernel's centre weight
// is lowered until no Fourier mode grows (by ConvMargin more than needed), so
// the flow is dissipative like a blur: forward it damps the fine detail, and
// backward it amplifies the solver's local errors in exactly those modes.
// (Without the shift, a random kernel's growing modes dominate z(T) and the
// damped ones carry little error to amplify.) The paper used MATLAB's
// ode45 at its default tolerances; dopri5 at rtol 1e-3, atol 1e-6 is the
// same method at the same settings.
const ConvSeed uint64 = 1

// ConvT, ConvSteps, ConvImage and ConvMargin are the rest of Sweep's setup.
const (
	ConvT      = 12.0
	ConvSteps  = 10 // output times T/10, 2T/10, …, T
	ConvImage  = 0  // index in the shipped Fashion-MNIST test subset
	ConvMargin = 0.1
)

// ConvRow is the reconstruction of z(0) at one tolerance of Sweep.
type ConvRow struct {
	RTol float64 `json:"rtol"`
	ATol float64 `json:"atol"`
	// MaxError is max |z_back(0) − z(0)| and RelError ‖z_back(0) − z(0)‖/‖z(0)‖.
	MaxError    float64 `json:"max_error"`
	RelError    float64 `json:"relative_error"`
	NFEForward  int     `json:"nfe_forward"`
	NFEBackward int     `json:"nfe_backward"`
	// Failure is the error of a solve that failed ("" when both succeeded).
	Failure string `json:"failure,omitempty"`
}

// ConvResult is the outcome of Conv.
type ConvResult struct {
	// Model is the convolution ODE and Kernel its θ (row-major 3×3).
	Model  dynamics.Conv2D
	Kernel []float64
	// Z0 is the input image (pixels in [0, 1]) and Label its class.
	Z0    []float64
	Label int
	// Main is the reconstruction at Sweep()[0], MATLAB's default tolerances.
	Main *Reconstruction
	// Sweep has one row per setting of Sweep.
	Sweep []ConvRow
}

// Conv runs the paper's Fig. 5 on image ConvImage of the shipped
// Fashion-MNIST test subset at every tolerance of Sweep. Only a failure
// at the first setting is an error; the others are reported in their row.
func Conv() (*ConvResult, error) {
	split, err := vision.Subset()
	if err != nil {
		return nil, err
	}
	d := split.Test
	if d.Shape.C != 1 {
		return nil, fmt.Errorf("the shipped subset has %d channels, want 1", d.Shape.C)
	}
	m := dynamics.Conv2D{H: d.Shape.H, W: d.Shape.W}
	rng := rand.New(rand.NewPCG(ConvSeed, 0))
	kernel := make([]float64, 9)
	for i := range kernel {
		kernel[i] = rng.NormFloat64()
	}
	kernel[4] -= maxGrowth(kernel) + ConvMargin
	z0 := append([]float64(nil), d.Image(ConvImage)...)
	times := make([]float64, ConvSteps)
	for i := range times {
		times[i] = ConvT * float64(i+1) / float64(ConvSteps)
	}
	norm0 := 0.0
	for _, v := range z0 {
		norm0 += v * v
	}
	norm0 = math.Sqrt(norm0)
	out := &ConvResult{Model: m, Kernel: kernel, Z0: z0, Label: int(d.Labels[ConvImage])}
	sweep := Sweep()
	for i := range sweep {
		s := sweep[i]
		row := ConvRow{RTol: s.RTol, ATol: s.ATol}
		r, err := Reconstruct(m, kernel, 0, z0, times, &s)
		if err != nil {
			if i == 0 {
				return nil, err
			}
			row.Failure = err.Error()
		} else {
			e := 0.0
			for c, v := range r.Backward[0] {
				e += (v - z0[c]) * (v - z0[c])
			}
			row.MaxError, row.RelError = r.Error[0], math.Sqrt(e)/norm0
			row.NFEForward, row.NFEBackward = r.ForwardStats.NFE, r.BackwardStats.NFE
		}
		if i == 0 {
			out.Main = r
		}
		out.Sweep = append(out.Sweep, row)
	}
	return out, nil
}

// maxGrowth is the largest real part of the kernel's Fourier symbol
// Σ k_ab·exp(i(a·ω1 + b·ω2)) over a 129×129 grid of frequencies: the fastest
// forward growth rate of a Fourier mode (for a periodic image; the zero
// padding changes the spectrum only at the edges).
func maxGrowth(k []float64) float64 {
	best := math.Inf(-1)
	const n = 129
	for i := range n {
		w1 := math.Pi * (2*float64(i)/(n-1) - 1)
		for j := range n {
			w2 := math.Pi * (2*float64(j)/(n-1) - 1)
			re := 0.0
			for a := -1; a <= 1; a++ {
				for b := -1; b <= 1; b++ {
					re += k[(a+1)*3+b+1] * math.Cos(float64(a)*w1+float64(b)*w2)
				}
			}
			best = max(best, re)
		}
	}
	return best
}
