package threebody

import (
	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/nbody"
)

// TimeWeight is the paper's weighting of the observations: one at time t
// weighs TimeWeight^t.
const TimeWeight = 0.01

// PaperProblem is the paper's three-body identification problem (Sec. 4.4):
// the system, masses and initial state of nbody.PaperThreeBody, the nine
// position coordinates observed at `points` equal times on the observed
// window of nbody.PaperThreeBodyTimes (the paper: 1000 on [0, 1]), weighted
// TimeWeight^t, simulated at the true masses with TruthSettings plus Gaussian
// noise of the given standard deviation; PaperSolver and all masses starting
// at 1. It returns the problem and the true masses.
func PaperProblem(points int, noise float64, seed uint64) (*identify.Problem, []float64) {
	g, masses, z0 := nbody.PaperThreeBody()
	w := nbody.PaperThreeBodyTimes()
	pos, _ := g.Group(nbody.GroupPositions)
	times := identify.Linspace(w.T0, w.T1, points)
	states, err := identify.Simulate(g, masses, w.T0, z0, times, TruthSettings())
	if err != nil {
		panic(err)
	}
	vals := identify.Observe(states, g.Dim(), pos)
	identify.AddNoise(vals, noise, seed)
	params := make([]identify.Parameter, len(masses))
	for i, name := range g.ParamNames() {
		params[i] = identify.Parameter{Name: name, Init: 1}
	}
	return &identify.Problem{Model: g, Params: params, T0: w.T0, Z0: z0, Times: times, Observed: pos, Values: vals,
		Weights: aca.TimeWeights(times, TimeWeight), Solver: PaperSolver()}, masses
}

// PaperSolver is the solver of the fit: Dopri5 at rtol = atol = 1e-7,
// landing on every observation time (as the README's Table 5 was measured;
// see scenarios/three_body.toml for what dense output does here).
func PaperSolver() aca.Settings {
	return aca.Settings{RTol: 1e-7, ATol: 1e-7, MaxSteps: 1000000, Land: true}
}

// TruthSettings is the tolerance the reference trajectories are simulated
// with: Dopri5 at rtol = atol = 1e-12 with at most 10⁷ steps, landing on
// every output time.
func TruthSettings() *aca.Settings {
	return &aca.Settings{RTol: 1e-12, ATol: 1e-12, MaxSteps: 10000000, Land: true}
}

// PaperAdam is the paper's optimizer: Adam with lr 0.1, betas (0.5, 0.5) and
// the learning rate times 0.95 each epoch; PaperOptions are its fit options.
func PaperAdam() *identify.Adam {
	return &identify.Adam{LR: 0.1, LRDecay: 0.95, Betas: [2]float64{0.5, 0.5}}
}

// PaperOptions are the paper's fit options: 100 epochs, masses jittered by
// ±10% by a generator seeded with seed.
func PaperOptions(seed uint64) *identify.Options {
	return &identify.Options{Epochs: 100, Seed: seed, Jitter: 0.1}
}
