package aca

import (
	"fmt"
	"math"

	"github.com/physid/physid/dynamics"
)

// ToyRow is one horizon T of the toy comparison.
type ToyRow struct {
	// T is the horizon and Exact the analytic dL/dz0 = 2·z0·e^{2kT}.
	T, Exact float64
	// Methods holds one result per method, in the order of Methods().
	Methods []ToyResult
}

// ToyResult is one method's gradient at one horizon.
type ToyResult struct {
	// Method is the method's name.
	Method string
	// Gradient is its dL/dz0 and RelErr its relative error |Gradient − Exact| / |Exact|.
	Gradient, RelErr float64
	// Stats counts its work.
	Stats Stats
}

// ToyComparison runs the paper's toy experiment (Zhuang et al. 2020, Eq. 27–29
// and Fig. 6): dz/dt = k·z with k = 1 and z0 = 1, loss L = z(T)², whose
// gradient dL/dz0 = 2·z0·e^{2kT} is known, for each horizon T and every method
// of Methods() with settings s (the paper: Dopri5 at rtol = atol = 1e-5).
func ToyComparison(Ts []float64, s *Settings) ([]ToyRow, error) {
	const k, z0 = 1.0, 1.0
	rows := make([]ToyRow, 0, len(Ts))
	for _, T := range Ts {
		loss, err := NewLeastSquares(1, nil, []float64{0}, nil)
		if err != nil {
			return nil, err
		}
		p := &Problem{Model: dynamics.Exponential{}, Theta: []float64{k}, Z0: []float64{z0}, Times: []float64{T}, Loss: loss}
		row := ToyRow{T: T, Exact: 2 * z0 * math.Exp(2*k*T)}
		for _, m := range Methods() {
			res, err := m.Gradient(p, s)
			if err != nil {
				return nil, fmt.Errorf("toy T=%g, %s: %w", T, m.Name(), err)
			}
			row.Methods = append(row.Methods, ToyResult{
				Method:   m.Name(),
				Gradient: res.Z0[0],
				RelErr:   math.Abs(res.Z0[0]-row.Exact) / row.Exact,
				Stats:    res.Stats,
			})
		}
		rows = append(rows, row)
	}
	return rows, nil
}
