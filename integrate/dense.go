package integrate

import (
	"fmt"
	"math"
)

// Dense output (continuous extensions). A tableau with Dense interpolates
// inside an accepted step from the stages it already has:
//
//	z(t + θh) ≈ z + h Σ_s b_s(θ) K_s,   b_s(θ) = Σ_p Dense[s][p] θ^(p+1),
//
// with b_s(1) = B[s], so the interpolant meets the step's end exactly, and
// Σ_s b_s(θ) = θ. The weights are data like the rest of the tableau; the
// solver and ACA read them the same way for every method.

// DenseWeights writes b_s(θ) for every stage into dst (len Stages()).
func (tb *Tableau) DenseWeights(dst []float64, theta float64) {
	for s, row := range tb.Dense {
		b, pw := 0.0, theta
		for _, c := range row {
			b += c * pw
			pw *= theta
		}
		dst[s] = b
	}
}

// HasDense reports whether the method has a continuous extension.
func (tb *Tableau) HasDense() bool { return tb.Dense != nil }

// fsalDense is the continuous extension of an FSAL tableau from its cubic
// Hermite interpolant plus an optional quartic correction:
//
//	b_s(θ) = (3θ² − 2θ³) B[s] + θ(1−θ)² δ_{s,0} − θ²(1−θ) δ_{s,S−1} + θ²(1−θ)² d[s]
//
// The first three terms are the cubic Hermite interpolant of z, f at both
// ends (K_0 = f(t, z), K_{S−1} = f(t+h, z') for FSAL), order 3; d = nil
// leaves it at that (Bogacki–Shampine, ode23's interpolant). Dormand–Prince's
// d (Shampine 1986; Hairer–Nørsett–Wanner I, Sec. II.6, the form of their
// DOPRI5 code) makes it order 4.
func fsalDense(b, d []float64) [][]float64 {
	S := len(b)
	out := make([][]float64, S)
	for s := range out {
		// Coefficients of θ, θ², θ³, θ⁴.
		c := make([]float64, 4)
		c[1] += 3 * b[s]
		c[2] -= 2 * b[s]
		if s == 0 { // θ − 2θ² + θ³
			c[0] += 1
			c[1] -= 2
			c[2] += 1
		}
		if s == S-1 { // −θ² + θ³
			c[1] -= 1
			c[2] += 1
		}
		if d != nil { // θ² − 2θ³ + θ⁴
			c[1] += d[s]
			c[2] -= 2 * d[s]
			c[3] += d[s]
		}
		out[s] = c
	}
	return out
}

// validateDense checks Σ_s b_s(θ) = θ and b_s(1) = B[s], each to tol.
func (tb *Tableau) validateDense(tol float64) error {
	if tb.Dense == nil {
		return nil
	}
	if len(tb.Dense) != len(tb.C) {
		return fmt.Errorf("integrate: tableau %s: Dense has %d rows, want %d", tb.Name, len(tb.Dense), len(tb.C))
	}
	for p := 0; ; p++ {
		sum, any := 0.0, false
		for _, row := range tb.Dense {
			if p < len(row) {
				sum += row[p]
				any = true
			}
		}
		if !any {
			break
		}
		want := 0.0
		if p == 0 {
			want = 1
		}
		if math.Abs(sum-want) > tol {
			return fmt.Errorf("integrate: tableau %s: the θ^%d coefficients of Dense sum to %.17g, want %g", tb.Name, p+1, sum, want)
		}
	}
	for s, row := range tb.Dense {
		sum := 0.0
		for _, c := range row {
			sum += c
		}
		if math.Abs(sum-tb.B[s]) > tol {
			return fmt.Errorf("integrate: tableau %s: b_%d(1) = %.17g, want B = %.17g", tb.Name, s, sum, tb.B[s])
		}
	}
	return nil
}

// dopri5Dense is Shampine's d for Dormand–Prince (the D of Hairer's DOPRI5).
var dopri5Dense = []float64{
	-12715105075.0 / 11282082432.0, 0, 87487479700.0 / 32700410799.0,
	-10690763975.0 / 1880347072.0, 701980252875.0 / 199316789632.0,
	-1453857185.0 / 822651844.0, 69997945.0 / 29380423.0,
}

// Tsit5 is the Tsitouras 5(4) FSAL pair (Ch. Tsitouras, Comput. Math. Appl.
// 62 (2011) 770–775), whose coefficients satisfy the simplifying assumptions
// that leave fewer free parameters and a smaller principal error than
// Dormand–Prince, with its free fourth-order interpolant. The numbers are
// the paper's to 16 digits (as in DifferentialEquations.jl's Tsit5).
var Tsit5 = &Tableau{
	Name: "tsit5", Order: 5, ErrOrder: 4, DenseOrder: 4,
	C: []float64{0, 0.161, 0.327, 0.9, 0.9800255409045097, 1, 1},
	A: [][]float64{
		nil,
		{0.161},
		{-0.008480655492356989, 0.335480655492357},
		{2.897153057105493, -6.359448489975075, 4.3622954328695815},
		{5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525},
		{5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.028269050394068383},
		{0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081, 2.324710524099774},
	},
	B: []float64{0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081, 2.324710524099774, 0},
	// B − B̂
	BErr: []float64{-0.00178001105222577714, -0.0008164344596567469, 0.007880878010261995, -0.1447110071732629, 0.5823571654525552, -0.45808210592918697, 1.0 / 66},
	Dense: [][]float64{
		{1, -2.763706197274826, 2.9132554618219126, -1.0530884977290216},
		{0, 0.13169999999999998, -0.2234, 0.1017},
		{0, 3.9302962368947516, -5.941033872131505, 2.490627285651253},
		{0, -12.411077166933676, 30.33818863028232, -16.548102889244902},
		{0, 37.50931341651104, -88.1789048947664, 47.37952196281928},
		{0, -27.896526289197286, 65.09189467479366, -34.87065786149661},
		{0, 1.5, -4, 2.5},
	},
}
