package reverse

import (
	"github.com/physid/physid/dynamics"
	"github.com/physid/physid/integrate"
)

// The reverse experiment (paper Fig. 4 and Sec. 3.2): van der Pol at mu = 1
// from (2, 0) over T = 20 at the solver's default tolerances. The limit cycle
// attracts forward in time and so repels backward: the backward solve's local
// errors grow until the reconstructed trajectory leaves the cycle.
const (
	Mu     = 1.0
	T      = 20.0
	Points = 100 // common output times, every 0.2
	// Main is the index in Sweep of the reported (and plotted) setting.
	Main = 1
)

// VanDerPolZ0 is the initial state (2, 0). The slice is new on every call.
func VanDerPolZ0() []float64 { return []float64{2, 0} }

// VanDerPolTimes are the Points output times T/Points, 2T/Points, …, T.
func VanDerPolTimes() []float64 {
	ts := make([]float64, Points)
	for i := range ts {
		ts[i] = T * float64(i+1) / float64(Points)
	}
	return ts
}

// SweepRow is the reconstruction at one tolerance of Sweep.
type SweepRow struct {
	RTol        float64 `json:"rtol"`
	ATol        float64 `json:"atol"`
	MaxError    float64 `json:"max_error,omitempty"`
	NFEForward  int     `json:"nfe_forward,omitempty"`
	NFEBackward int     `json:"nfe_backward,omitempty"`
	// Failure is the error of a solve that failed ("" when both succeeded).
	Failure string `json:"failure,omitempty"`
}

// VanDerPolResult is the outcome of VanDerPol.
type VanDerPolResult struct {
	// Settings are those of the main reconstruction, Sweep()[Main].
	Settings integrate.Settings
	// Main is the reconstruction at Settings.
	Main *Reconstruction
	// Sweep has one row per setting of Sweep.
	Sweep []SweepRow
}

// VanDerPol runs the paper's Fig. 4: van der Pol (mu = Mu) from VanDerPolZ0
// solved forward through VanDerPolTimes and back from z(T), at every
// tolerance of Sweep. Only a failure at the main setting is an
// error; the others are reported in their row.
func VanDerPol() (*VanDerPolResult, error) {
	m, theta := dynamics.VanDerPol{}, []float64{Mu}
	sweep := Sweep()
	res := &VanDerPolResult{Settings: sweep[Main]}
	for i := range sweep {
		s := sweep[i]
		r, err := Reconstruct(m, theta, 0, VanDerPolZ0(), VanDerPolTimes(), &s)
		row := SweepRow{RTol: s.RTol, ATol: s.ATol}
		switch {
		case err != nil && i == Main:
			return nil, err
		case err != nil:
			row.Failure = err.Error()
		default:
			row.MaxError, row.NFEForward, row.NFEBackward = r.MaxError, r.ForwardStats.NFE, r.BackwardStats.NFE
		}
		if i == Main {
			res.Main = r
		}
		res.Sweep = append(res.Sweep, row)
	}
	return res, nil
}
