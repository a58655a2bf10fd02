package threebody

import (
	"math"
	"testing"

	"github.com/physid/physid/learned"
	"github.com/physid/physid/nbody"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPreconditionerChainRule: the node is trained in coordinates θ' with
// raw θ = toRaw(θ'), an affine map, so for a linear L(θ) = c·θ the gradient
// gradToPre(c) must equal the central differences of c·toRaw(θ'), which are
// exact for an affine map up to rounding (~1e-9 at these scales).
func TestPreconditionerChainRule(t *testing.T) {
	p, _ := PaperProblem(200, 0, 0)
	g := p.Model.(nbody.Gravity)
	for _, whiten := range []bool{false, true} {
		f, err := learned.NewThreeBodyNODE(g, []int{5}, "")
		require.NoError(t, err)
		pc := newPreconditioner(f, p.Values, whiten)
		rng := learned.NewRand(4)
		pre := learned.NewParams(f, 2)
		c := make([]float64, len(pre))
		for i := range c {
			c[i] = 2*rng.Float64() - 1
		}
		raw := make([]float64, len(pre))
		lin := func() float64 {
			pc.toRaw(raw, pre)
			s := 0.0
			for i, v := range raw {
				s += c[i] * v
			}
			return s
		}
		grad := append([]float64(nil), c...)
		pc.gradToPre(grad)
		worst := 0.0
		for i := range pre {
			orig := pre[i]
			pre[i] = orig + 1e-3
			lp := lin()
			pre[i] = orig - 1e-3
			lm := lin()
			pre[i] = orig
			fd := (lp - lm) / 2e-3
			worst = math.Max(worst, math.Abs(grad[i]-fd)/math.Max(1, math.Abs(fd)))
		}
		t.Logf("whiten %v: worst error %.2g", whiten, worst)
		assert.LessOrEqual(t, worst, 1e-6)
	}
}
