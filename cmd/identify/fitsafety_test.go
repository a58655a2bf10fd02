package main

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

const vdp = "../../scenarios/van_der_pol.toml"

// TestFitEpochsFlag: --epochs 0 used to mean the scenario's default
// silently; it is now a usage error naming the flag and the range.
func TestFitEpochsFlag(t *testing.T) {
	for _, v := range []string{"0", "-1"} {
		code, stdout, stderr := call("fit", vdp, "--epochs", v, "--out", t.TempDir())
		assert.Equal(t, exitUsage, code, stderr)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "--epochs must be ≥ 1 (got "+v+")")
	}
}

// TestFitProgressNeverPassesTheTotal: LM recorded its final evaluation as
// epoch N+1 ("epoch 6/5"); no optimizer may print an epoch above the total
// or keep one in the history.
func TestFitProgressNeverPassesTheTotal(t *testing.T) {
	line := regexp.MustCompile(`epoch (\d+)/(\d+)`)
	for _, opt := range []string{"lm", "lbfgs", "adam"} {
		dir := t.TempDir()
		code, _, stderr := call("fit", vdp, "--optimizer", opt, "--epochs", "5", "--out", dir)
		assert.Equal(t, exitOK, code, stderr)
		for _, m := range line.FindAllStringSubmatch(stderr, -1) {
			n, _ := strconv.Atoi(m[1])
			total, _ := strconv.Atoi(m[2])
			assert.LessOrEqual(t, n, total, "%s: %s", opt, m[0])
		}
		res := readResult(t, dir)
		assert.LessOrEqual(t, res.Epochs, 5, opt)
		for _, h := range res.History {
			assert.LessOrEqual(t, h.Epoch, 5, fmt.Sprintf("%s history", opt))
		}
	}
}

// readResult reads DIR/result.json.
func readResult(t *testing.T, dir string) *resultJSON {
	t.Helper()
	r, err := readResultFile(dir + "/result.json")
	if err != nil {
		t.Fatal(err)
	}
	return r
}
