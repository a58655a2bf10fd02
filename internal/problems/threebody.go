package problems

import (
	"github.com/physid/physid/aca"
	"github.com/physid/physid/identify"
	"github.com/physid/physid/nbody"
)

// PaperThreeBody is the paper's three-body identification problem (Sec. 4.4):
// the nine position coordinates observed at `points` equal times on [0, 1]
// (the paper: 1000), weighted 0.01^t, simulated at the true masses with a 1e-12
// tolerance plus Gaussian noise of the given standard deviation; Dopri5 at
// 1e-7 and all masses starting at 1. It returns the problem and the true masses.
func PaperThreeBody(points int, noise float64, seed uint64) (*identify.Problem, []float64) {
	g, masses, z0 := nbody.PaperThreeBody()
	pos, _ := g.Group(nbody.GroupPositions)
	times := identify.Linspace(0, 1, points)
	states, err := identify.Simulate(g, masses, 0, z0, times, TruthSettings())
	if err != nil {
		panic(err)
	}
	vals := identify.Observe(states, g.Dim(), pos)
	identify.AddNoise(vals, noise, seed)
	params := make([]identify.Parameter, len(masses))
	for i, name := range g.ParamNames() {
		params[i] = identify.Parameter{Name: name, Init: 1}
	}
	return &identify.Problem{Model: g, Params: params, Z0: z0, Times: times, Observed: pos, Values: vals,
		Weights: aca.TimeWeights(times, 0.01), Solver: aca.Settings{RTol: 1e-7, ATol: 1e-7, MaxSteps: 1000000}}, masses
}

// TruthSettings is the tolerance the reference trajectories are simulated with.
func TruthSettings() *aca.Settings {
	return &aca.Settings{RTol: 1e-12, ATol: 1e-12, MaxSteps: 10000000}
}

// PaperAdam is the paper's optimizer: Adam with lr 0.1, betas (0.5, 0.5) and
// the learning rate times 0.95 each epoch; PaperOptions are its fit options.
func PaperAdam() *identify.Adam {
	return &identify.Adam{LR: 0.1, LRDecay: 0.95, Betas: [2]float64{0.5, 0.5}}
}

// PaperOptions are the paper's fit options: 100 epochs, masses jittered by ±10%
// by a generator seeded with seed.
func PaperOptions(seed uint64) *identify.Options {
	return &identify.Options{Epochs: 100, Seed: seed, Jitter: 0.1}
}
