package archtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestImportGraph fails when any package of the module, or any of its tests,
// imports a module package that Allowed does not list for it.
func TestImportGraph(t *testing.T) {
	edges, err := ModuleEdges("../..")
	require.NoError(t, err)
	// The module has more than a dozen packages that import each other; an
	// empty edge list would mean the walk read nothing and proved nothing.
	require.Greater(t, len(edges), 30)
	assert.Empty(t, Check(Allowed, edges))
}

// TestCheckCatchesForbiddenEdges shows that the check is not vacuous: each
// edge below breaks a rule of DESIGN.md and must be reported.
func TestCheckCatchesForbiddenEdges(t *testing.T) {
	for _, tc := range []struct {
		name string
		edge Edge
		want string
	}{
		{"learned depends on identify", Edge{From: "learned", To: "identify"},
			"learned imports identify, which archtest.Allowed does not permit"},
		{"integrate knows gradients", Edge{From: "integrate", To: "aca"},
			"integrate imports aca, which archtest.Allowed does not permit"},
		{"a library imports an experiment", Edge{From: "identify", To: "internal/experiments/threebody"},
			"identify imports internal/experiments/threebody, which archtest.Allowed does not permit"},
		{"anything imports cmd", Edge{From: "internal/experiments/toy", To: "cmd/identify"},
			"internal/experiments/toy imports cmd/identify, which archtest.Allowed does not permit"},
		{"test problems build the fitting stack", Edge{From: "internal/problems", To: "identify"},
			"internal/problems imports identify, which archtest.Allowed does not permit"},
		{"a test of integrate pulls in identify", Edge{From: "integrate", To: "identify", Test: true},
			"integrate imports in a test identify, which archtest.Allowed does not permit"},
		{"a helper imports a library", Edge{From: "internal/csvio", To: "dynamics"},
			"internal/csvio imports dynamics, which archtest.Allowed does not permit"},
		{"an unknown package", Edge{From: "utils", To: "dynamics"},
			"utils: no rule in archtest.Allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, []string{tc.want}, Check(Allowed, []Edge{tc.edge}))
		})
	}
}

// TestCheckAllowsDesignedEdges is the other side: edges the design permits
// are not reported.
func TestCheckAllowsDesignedEdges(t *testing.T) {
	edges := []Edge{
		{From: "aca", To: "integrate"},
		{From: "learned/vision", To: "learned"},
		{From: "cmd/identify", To: "internal/experiments/images"},
		{From: "internal/experiments/threebody", To: "learned"},
		{From: "identify", To: "internal/csvio"},
		{From: "integrate", To: "internal/problems", Test: true},
		{From: "scenarios", To: "scenarios", Test: true},
	}
	assert.Empty(t, Check(Allowed, edges))
}
