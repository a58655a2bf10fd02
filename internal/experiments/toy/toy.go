package toy

import (
	"fmt"
	"math"

	"github.com/physid/physid/aca"
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// The paper's toy setting (Sec. 4.1, Fig. 6): dz/dt = k·z with k = 1 and
// z0 = 1, horizons T = 1 … 10, Dopri5 at rtol = atol = 1e-5.
const (
	K  = 1.0
	Z0 = 1.0
)

// PaperTimes are the horizons T of the paper's Fig. 6. The slice is new on
// every call.
func PaperTimes() []float64 { return []float64{1, 2, 4, 6, 8, 10} }

// PaperSettings are the paper's solver settings: Dopri5 at rtol = atol = 1e-5.
func PaperSettings() aca.Settings {
	return aca.Settings{Method: integrate.Dopri5, RTol: 1e-5, ATol: 1e-5}
}

// Row is one horizon T of the toy comparison.
type Row struct {
	// T is the horizon and Exact the analytic dL/dz0 = 2·z0·e^{2kT}.
	T, Exact float64
	// Methods holds one result per method, in the order of aca.Methods().
	Methods []Result
}

// Result is one method's gradient at one horizon.
type Result struct {
	// Method is the method's name.
	Method string
	// Gradient is its dL/dz0 and RelErr its relative error |Gradient − Exact| / |Exact|.
	Gradient, RelErr float64
	// Stats counts its work.
	Stats aca.Stats
}

// Compare runs the paper's toy experiment (Zhuang et al. 2020, Eq. 27–29
// and Fig. 6): dz/dt = k·z with k = K and z0 = Z0, loss L = z(T)², whose
// gradient dL/dz0 = 2·z0·e^{2kT} is known, for each horizon T and every method
// of aca.Methods() with settings s (the paper: PaperSettings).
func Compare(Ts []float64, s *aca.Settings) ([]Row, error) {
	const k, z0 = K, Z0
	rows := make([]Row, 0, len(Ts))
	for _, T := range Ts {
		loss, err := aca.NewLeastSquares(1, nil, []float64{0}, nil)
		if err != nil {
			return nil, err
		}
		p := &aca.Problem{Model: dynamics.Exponential{}, Theta: []float64{k}, Z0: []float64{z0}, Times: []float64{T}, Loss: loss}
		row := Row{T: T, Exact: 2 * z0 * math.Exp(2*k*T)}
		for _, m := range aca.Methods() {
			res, err := aca.NeedZ0(m).Gradient(p, s) // the toy's gradient is dL/dz0
			if err != nil {
				return nil, fmt.Errorf("toy T=%g, %s: %w", T, m.Name(), err)
			}
			row.Methods = append(row.Methods, Result{
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
