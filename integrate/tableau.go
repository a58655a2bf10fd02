package integrate

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Tableau is the Butcher tableau of an explicit or diagonally implicit
// Runge–Kutta method, kept as data: one generic explicit stepper and one generic
// implicit stepper read every table.
//
// Stages are Y_s = z + h Σ_{j≤s} A[s][j] K_j and K_s = f(t + C[s] h, Y_s); the new
// state is z + h Σ B[s] K_s. BErr holds B − B̂, the difference to the embedded
// lower-order weights, so h Σ BErr[s] K_s estimates the local error; it is nil for
// fixed-step methods. An explicit row has s entries; a row of an implicit
// (ESDIRK) tableau has s+1, the last being the diagonal γ, the same for every
// implicit stage, so that one factorization of I − hγJ serves all of them.
type Tableau struct {
	// Name is the method's short name as used in scenario files (rk4, dopri5, …).
	Name string
	// Order is the order of the propagated solution.
	Order int
	// ErrOrder is the order of the embedded solution (0 for fixed-step methods).
	// The controller's exponents use q = min(Order, ErrOrder).
	ErrOrder int
	// C holds the stage times as fractions of h.
	C []float64
	// A is lower triangular: A[s] has s entries (explicit stage) or s+1
	// (implicit stage, A[s][s] = γ).
	A [][]float64
	// B holds the weights of the propagated solution.
	B []float64
	// BErr holds B − B̂ (nil for fixed-step methods).
	BErr []float64
	// Predictor (implicit tableaux, optional) gives the Newton start of each
	// implicit stage: K_s ≈ Σ_{j<s} Predictor[s][j] K_j, an extrapolation of the
	// earlier stages; a nil row means K_{s−1}.
	Predictor [][]float64
	// Dense holds the continuous extension, nil when the method has none:
	// b_s(θ) = Σ_p Dense[s][p]·θ^(p+1) interpolates inside a step,
	// z(t+θh) ≈ z + h Σ_s b_s(θ) K_s (see DenseWeights).
	Dense [][]float64
	// DenseOrder is the order of that interpolant (0 without one).
	DenseOrder int
	// Stiff, set on an explicit tableau, is the implicit method the solver
	// switches to when it detects stiffness, and back (method "auto"); nil
	// means a detected stiffness ends the solve with ErrStiff.
	Stiff *Tableau
}

// Implicit reports whether some stage has a nonzero diagonal entry.
func (tb *Tableau) Implicit() bool { return tb.Gamma() != 0 }

// Gamma returns the diagonal γ of the implicit stages (0 for an explicit tableau).
func (tb *Tableau) Gamma() float64 {
	for s, row := range tb.A {
		if len(row) == s+1 && row[s] != 0 {
			return row[s]
		}
	}
	return 0
}

// Stages returns the number of stages.
func (tb *Tableau) Stages() int { return len(tb.C) }

// Adaptive reports whether the method has an embedded error estimate.
func (tb *Tableau) Adaptive() bool { return tb.BErr != nil }

// FSAL reports whether the last stage is evaluated at the new state ("first same
// as last"), so an accepted step's last stage is the next step's first. It is
// computed from the numbers: the last row of A (its diagonal included) equals
// B, the last C is 1 and the first stage is explicit.
func (tb *Tableau) FSAL() bool {
	s := len(tb.C)
	if s < 2 || tb.C[s-1] != 1 || tb.C[0] != 0 {
		return false
	}
	for _, a := range tb.A[0] {
		if a != 0 {
			return false
		}
	}
	last := tb.A[s-1]
	for j, b := range tb.B {
		a := 0.0
		if j < len(last) {
			a = last[j]
		}
		if a != b {
			return false
		}
	}
	return true
}

// ControlOrder is the order q of the error estimate that a step-size controller
// sees, the lower of the pair's orders: min(Order, ErrOrder), or Order for a
// fixed-step method.
func (tb *Tableau) ControlOrder() int {
	q := tb.Order
	if tb.ErrOrder > 0 && tb.ErrOrder < q {
		q = tb.ErrOrder
	}
	return q
}

// Euler is the explicit Euler method, order 1.
var Euler = &Tableau{
	Name: "euler", Order: 1,
	C: []float64{0},
	A: [][]float64{nil},
	B: []float64{1},
}

// RK2 is the explicit midpoint method, order 2.
var RK2 = &Tableau{
	Name: "rk2", Order: 2,
	C: []float64{0, 1.0 / 2},
	A: [][]float64{nil, {1.0 / 2}},
	B: []float64{0, 1},
}

// RK4 is the classical fourth-order Runge–Kutta method (Kutta 1901).
var RK4 = &Tableau{
	Name: "rk4", Order: 4,
	C: []float64{0, 1.0 / 2, 1.0 / 2, 1},
	A: [][]float64{nil, {1.0 / 2}, {0, 1.0 / 2}, {0, 0, 1}},
	B: []float64{1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6},
}

// HeunEuler is Heun's method (order 2) with the Euler step as embedded order-1
// estimate (RK12); the paper trains its image NODEs with it.
var HeunEuler = &Tableau{
	Name: "heuneuler", Order: 2, ErrOrder: 1,
	C:    []float64{0, 1},
	A:    [][]float64{nil, {1}},
	B:    []float64{1.0 / 2, 1.0 / 2},
	BErr: []float64{-1.0 / 2, 1.0 / 2}, // B − (1, 0)
}

// BogackiShampine is the order-3 method with an embedded order-2 estimate and the
// FSAL property (Bogacki & Shampine 1989), MATLAB's ode23, with ode23's cubic
// Hermite interpolant (order 3) as dense output.
var BogackiShampine = &Tableau{
	Name: "rk23", Order: 3, ErrOrder: 2, DenseOrder: 3,
	Dense: fsalDense([]float64{2.0 / 9, 1.0 / 3, 4.0 / 9, 0}, nil),
	C:     []float64{0, 1.0 / 2, 3.0 / 4, 1},
	A:     [][]float64{nil, {1.0 / 2}, {0, 3.0 / 4}, {2.0 / 9, 1.0 / 3, 4.0 / 9}},
	B:     []float64{2.0 / 9, 1.0 / 3, 4.0 / 9, 0},
	BErr:  []float64{-5.0 / 72, 1.0 / 12, 1.0 / 9, -1.0 / 8}, // B − (7/24, 1/4, 1/3, 1/8)
}

// Fehlberg is the Runge–Kutta–Fehlberg 4(5) pair (Fehlberg 1969), propagating the
// fifth-order solution (local extrapolation) with the fourth-order one as estimate.
var Fehlberg = &Tableau{
	Name: "rk45", Order: 5, ErrOrder: 4,
	C: []float64{0, 1.0 / 4, 3.0 / 8, 12.0 / 13, 1, 1.0 / 2},
	A: [][]float64{
		nil,
		{1.0 / 4},
		{3.0 / 32, 9.0 / 32},
		{1932.0 / 2197, -7200.0 / 2197, 7296.0 / 2197},
		{439.0 / 216, -8, 3680.0 / 513, -845.0 / 4104},
		{-8.0 / 27, 2, -3544.0 / 2565, 1859.0 / 4104, -11.0 / 40},
	},
	B: []float64{16.0 / 135, 0, 6656.0 / 12825, 28561.0 / 56430, -9.0 / 50, 2.0 / 55},
	// B − (25/216, 0, 1408/2565, 2197/4104, −1/5, 0)
	BErr: []float64{1.0 / 360, 0, -128.0 / 4275, -2197.0 / 75240, 1.0 / 50, 2.0 / 55},
}

// Dopri5 is the Dormand–Prince 5(4) pair with FSAL (Dormand & Prince 1980),
// MATLAB's ode45 and the paper's solver, with Shampine's fourth-order
// continuous extension (Hairer–Nørsett–Wanner I, Sec. II.6).
var Dopri5 = &Tableau{
	Name: "dopri5", Order: 5, ErrOrder: 4, DenseOrder: 4,
	Dense: fsalDense([]float64{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0}, dopri5Dense),
	C:     []float64{0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1},
	A: [][]float64{
		nil,
		{1.0 / 5},
		{3.0 / 40, 9.0 / 40},
		{44.0 / 45, -56.0 / 15, 32.0 / 9},
		{19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
		{9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
		{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
	},
	B: []float64{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0},
	// B − (5179/57600, 0, 7571/16695, 393/640, −92097/339200, 187/2100, 1/40)
	BErr: []float64{71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40},
}

// Tableaux lists every built-in explicit method.
var Tableaux = []*Tableau{Euler, RK2, RK4, HeunEuler, BogackiShampine, Fehlberg, Dopri5, Tsit5}

// ImplicitTableaux lists every built-in implicit (stiff) method.
var ImplicitTableaux = []*Tableau{Kvaerno3, Kvaerno4, Kvaerno5}

// all lists every method a name can select: explicit, implicit and auto.
func all() []*Tableau {
	return append(append(append([]*Tableau(nil), Tableaux...), ImplicitTableaux...), Auto)
}

// Names returns the names of the built-in methods (auto included), sorted.
func Names() []string {
	var names []string
	for _, tb := range all() {
		names = append(names, tb.Name)
	}
	sort.Strings(names)
	return names
}

// ByName returns the built-in method with the given name.
func ByName(name string) (*Tableau, error) {
	for _, tb := range all() {
		if tb.Name == name {
			return tb, nil
		}
	}
	return nil, fmt.Errorf("integrate: unknown method %q (allowed: %s)", name, strings.Join(Names(), ", "))
}

// Validate checks the tableau's shape and its consistency conditions:
// Σ_j A[s][j] = C[s], Σ B = 1 and Σ BErr = 0, each to 1e-14, that every
// implicit stage has the same diagonal, and for a dense output that
// Σ_s b_s(θ) = θ and b_s(1) = B[s] (to 1e-13).
func (tb *Tableau) Validate() error {
	s := len(tb.C)
	if s == 0 || len(tb.A) != s || len(tb.B) != s || (tb.BErr != nil && len(tb.BErr) != s) {
		return fmt.Errorf("integrate: tableau %s: C, A, B, BErr must all have %d rows", tb.Name, s)
	}
	sumB, sumE := 0.0, 0.0
	for i := 0; i < s; i++ {
		if len(tb.A[i]) != i && len(tb.A[i]) != i+1 {
			return fmt.Errorf("integrate: tableau %s: row %d of A has %d entries, want %d (or %d with a diagonal)", tb.Name, i, len(tb.A[i]), i, i+1)
		}
		if len(tb.A[i]) == i+1 && tb.A[i][i] != 0 && tb.A[i][i] != tb.Gamma() {
			return fmt.Errorf("integrate: tableau %s: diagonal %d is %g, want γ=%g like the other implicit stages", tb.Name, i, tb.A[i][i], tb.Gamma())
		}
		sum := 0.0
		for _, a := range tb.A[i] {
			sum += a
		}
		if math.Abs(sum-tb.C[i]) > 1e-14 {
			return fmt.Errorf("integrate: tableau %s: row %d of A sums to %.17g, want C=%.17g", tb.Name, i, sum, tb.C[i])
		}
		sumB += tb.B[i]
		if tb.BErr != nil {
			sumE += tb.BErr[i]
		}
	}
	if math.Abs(sumB-1) > 1e-14 {
		return fmt.Errorf("integrate: tableau %s: B sums to %.17g, want 1", tb.Name, sumB)
	}
	if math.Abs(sumE) > 1e-14 {
		return fmt.Errorf("integrate: tableau %s: BErr sums to %.17g, want 0", tb.Name, sumE)
	}
	return tb.validateDense(1e-13)
}
