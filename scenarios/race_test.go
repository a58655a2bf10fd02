package scenarios_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/physid/physid/identify"
)

// TestParallelStartsShareNothing: several starts of a likelihood fit run
// on parallel goroutines, each with its own models, signals, observation
// and initial-state workspaces (run with -race).
func TestParallelStartsShareNothing(t *testing.T) {
	sc := tanksScenario(t, false)
	p := sc.FitProblem()
	for i := range p.Experiments {
		e := &p.Experiments[i]
		e.Times, e.Values = e.Times[:64], e.Values[:64]
	}
	o := sc.Options()
	o.Starts, o.Workers, o.Epochs = 3, 3, 3
	_, err := identify.Fit(context.Background(), p, o, nil)
	if err != nil && !strings.Contains(err.Error(), "diverged") {
		require.NoError(t, err)
	}
}
