package latent

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/physid/physid/learned"
	"gonum.org/v1/gonum/diff/fd"
)

// synthetic returns a clearly labelled synthetic stand-in for the hopper (not
// the hopper): seqs damped oscillations of dim components on steps points,
// each with its own random phase, amplitude and frequency. Tests use it so
// they do not depend on the shipped data's size.
func synthetic(seqs, steps, dim int, seed uint64) *Dataset {
	rng := learned.NewRand(seed)
	d := &Dataset{Sequences: seqs, Steps: steps, Dim: dim, DT: 0.01, Values: make([]float64, seqs*steps*dim)}
	for s := range seqs {
		a, w, p := 0.5+rng.Float64(), 2+4*rng.Float64(), 2*math.Pi*rng.Float64()
		for i := range steps {
			t := float64(i) / float64(steps-1)
			for c := range dim {
				d.Values[(s*steps+i)*dim+c] = a * math.Exp(-0.5*t) * math.Sin(w*t+p+float64(c))
			}
		}
	}
	return d
}

// fdCheck compares grad of loss(θ) with gonum's central differences
// (fd.Central, step 1e-6·max(1, |θ_j|)) at up to 120 parameters chosen at
// random, returning the worst error judged like dynamics.CheckDerivatives:
// |analytic − fd| / max(1e-3, |fd|).
func fdCheck(t *testing.T, theta, grad []float64, loss func([]float64) float64) float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	idx := rng.Perm(len(theta))
	if len(idx) > 120 {
		idx = idx[:120]
	}
	worst := 0.0
	th := append([]float64(nil), theta...)
	for _, j := range idx {
		orig := th[j]
		d := fd.Derivative(func(s float64) float64 {
			th[j] = orig + s
			return loss(th)
		}, 0, &fd.Settings{Formula: fd.Central, Step: 1e-6 * math.Max(1, math.Abs(orig))})
		th[j] = orig
		e := math.Abs(grad[j]-d) / math.Max(1e-3, math.Abs(d))
		if e > worst {
			worst = e
			if e > 1e-4 {
				t.Logf("θ[%d]: analytic %.10g, fd %.10g", j, grad[j], d)
			}
		}
	}
	t.Logf("worst relative error over %d parameters: %.2g", len(idx), worst)
	return worst
}
