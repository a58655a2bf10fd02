package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// lvWith returns the Lotka–Volterra scenario with extra appended to the
// parameter named after, written to a new folder.
func lvWith(t *testing.T, after, extra string) string {
	t.Helper()
	src, err := os.ReadFile("../../scenarios/lotka_volterra.toml")
	require.NoError(t, err)
	s := string(src)
	if after != "" {
		key := "name = \"" + after + "\"\n"
		require.Contains(t, s, key)
		s = strings.Replace(s, key, key+extra, 1)
	}
	return writeScenario(t, "lv", s)
}

// TestFitResumeMismatch: a saved fit that does not belong to the scenario
// used to panic in a worker goroutine (index out of range, the process
// killed) or fail as exit 1 naming --from; it is now a usage error naming
// --resume and what differs.
func TestFitResumeMismatch(t *testing.T) {
	saved := t.TempDir()
	code, _, stderr := call("fit", lvWith(t, "", ""), "--optimizer", "adam", "--epochs", "2", "--out", saved)
	require.Equal(t, exitOK, code, stderr)

	// A state vector of the wrong length, as by a hand edit.
	edited := t.TempDir()
	b, err := os.ReadFile(filepath.Join(saved, "result.json"))
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))
	st := raw["starts"].([]any)[0].(map[string]any)["state"].(map[string]any)
	st["u"] = []float64{1}
	b, err = json.Marshal(raw)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(edited, "result.json"), b, 0o644))

	threeBodyFit := t.TempDir()
	code, _, stderr = call("fit", threeBody, "--epochs", "1", "--out", threeBodyFit)
	require.Equal(t, exitOK, code, stderr)

	for _, tc := range []struct {
		name, scenario, from string
		args                 []string
		want                 string
	}{
		{"a parameter fixed since", lvWith(t, "beta", "fixed = true\n"), saved, []string{"--optimizer", "adam"},
			"--resume: " + saved + "/result.json was fitted with the fixed parameters []; "},
		{"a state of the wrong length", lvWith(t, "", ""), edited, []string{"--optimizer", "adam"},
			"start 0's Adam state has 1, 4 and 4 values (u, m, v)"},
		{"another scenario", vdp, threeBodyFit, nil, `is a fit of scenario "three-body" with parameters [m1, m2, m3]`},
		{"another optimizer", lvWith(t, "", ""), saved, []string{"--optimizer", "lm"}, "was fitted with adam, not lm"},
		{"another seed", lvWith(t, "", ""), saved, []string{"--optimizer", "adam", "--seed", "1"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			args := append([]string{"fit", tc.scenario, "--resume", tc.from, "--out", out, "--epochs", "3"}, tc.args...)
			code, stdout, stderr := call(args...)
			if tc.want == "" { // the seed does not matter to a resume
				assert.Equal(t, exitOK, code, stderr)
				return
			}
			assert.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, "--resume: ")
			assert.Contains(t, stderr, tc.want)
			_, err := os.Stat(filepath.Join(out, "result.json"))
			assert.True(t, os.IsNotExist(err), "nothing written")
		})
	}
}

// TestFitResumeLMAndLBFGS: LM and L-BFGS saved "state": null and a resume
// started over from epoch 1; they now continue from the best point, the
// epochs and the function evaluations counting on.
func TestFitResumeLMAndLBFGS(t *testing.T) {
	for _, opt := range []string{"lm", "lbfgs"} {
		dir := t.TempDir()
		code, _, stderr := call("fit", vdp, "--optimizer", opt, "--epochs", "2", "--out", dir)
		require.Equal(t, exitOK, code, stderr)
		first := readResult(t, dir)
		code, _, stderr = call("fit", vdp, "--optimizer", opt, "--epochs", "4", "--resume", dir)
		require.Equal(t, exitOK, code, stderr)
		res := readResult(t, dir)
		assert.Greater(t, res.NFE, first.NFE, opt)
		assert.LessOrEqual(t, res.Loss, first.Loss, opt)
		require.GreaterOrEqual(t, len(res.History), len(first.History), opt)
		assert.Equal(t, first.History, res.History[:len(first.History)], opt)
		if len(res.History) > len(first.History) {
			assert.Greater(t, res.History[len(first.History)].Epoch, first.Epochs, "%s: epochs continue", opt)
		}
	}
}

// hugeLoss is dz/dt = kz from z0 = 1e100 fitted by Adam: the loss is finite
// but its gradient's square is not.
const hugeLoss = `name = "huge"
[system]
kind = "exponential"
[[parameters]]
name = "k"
value = 1.0
[initial_state]
z0 = [1e100]
[data]
t = [1.0]
z = [[0.0]]
[fit]
optimizer = "adam"
`

// TestFitNonFiniteOptimizerState: Adam's second moment overflowing (a huge
// finite loss) or a learning rate of 1e308 used to end in exit 1 with
// nothing written. The fit now stops as diverged at the epoch where it
// happens, writes result.json with the best finite point, and exits 2.
func TestFitNonFiniteOptimizerState(t *testing.T) {
	for _, tc := range []struct{ name, scenario, want string }{
		{"second moment overflows", hugeLoss, "adam: the second-moment estimate overflowed at epoch 1 (gradient 1.48e+201); keeping the best finite point"},
		{"lr = 1e308", strings.Replace(zeroLoss, "z0 = [0.0]", "z0 = [1.0]", 1) + "optimizer = \"adam\"\nlr = 1e308\n", "epoch 2: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := call("fit", writeScenario(t, "s", tc.scenario), "--out", dir, "--json")
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, "the fit diverged: "+tc.want)
			assert.Contains(t, stderr, "the best parameters found are in "+dir)
			res := readResult(t, dir)
			assert.Equal(t, "diverged", res.Status)
			assert.Contains(t, res.Message, tc.want)
			assert.NotContains(t, stdout, "NaN")
			assert.NotContains(t, stdout, "Inf")
		})
	}
}

// TestFitExtrapolationFailureKeepsTheFit: an extrapolation that fails (here
// z = e^t overflowing by t = 1000) used to be exit 1 with the output folder
// left empty. The fit result is written; the failure is in result.json and
// a warning, and the exit status is 0.
func TestFitExtrapolationFailureKeepsTheFit(t *testing.T) {
	src := strings.Replace(zeroLoss, "z0 = [0.0]", "z0 = [1.0]", 1) + "\n[extrapolate]\nt1 = 1000\npoints = 10\n"
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := call("fit", writeScenario(t, "ex", src), "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "warning: the extrapolation to t1 = 1000 failed: ")
	res := readResult(t, dir)
	require.NotNil(t, res.Extrapolation)
	assert.NotEmpty(t, res.Extrapolation.Error)
	assert.Nil(t, res.Extrapolation.MSE)
	for _, f := range []string{"result.json", "loss.png", "history.csv"} {
		_, err := os.Stat(filepath.Join(dir, f))
		assert.NoError(t, err, f)
	}
	_, err := os.Stat(filepath.Join(dir, "trajectory.csv"))
	assert.True(t, os.IsNotExist(err), "no trajectory without an extrapolation")

	// The case: the three-body fit extrapolated to t1 = 1000 runs out
	// of solver steps.
	src2, err := os.ReadFile(threeBody)
	require.NoError(t, err)
	far := strings.Replace(string(src2), "[extrapolate]\nt1 = 2.0", "[extrapolate]\nt1 = 1000.0", 1)
	require.NotEqual(t, string(src2), far)
	dir = filepath.Join(t.TempDir(), "out")
	code, _, stderr = call("fit", writeScenario(t, "tb", far), "--out", dir, "--epochs", "2")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "maximum number of steps reached")
	res = readResult(t, dir)
	assert.Contains(t, res.Extrapolation.Error, "maximum number of steps reached")
	assert.Len(t, res.History, 2)
}

// TestFitOutCheckedFirst: an --out that cannot be written (under a regular
// file, in /proc) used to be found only after the whole fit; fit, profile
// and compare now refuse it before the computation (exit 2, naming --out).
func TestFitOutCheckedFirst(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain.txt")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	for _, args := range [][]string{
		{"fit", threeBody, "--out", filepath.Join(file, "out")},
		{"fit", threeBody, "--out", "/proc/self/none"},
		{"fit", threeBody, "--out", file},
		{"fit", threeBody, "--out", "/proc/self"}, // exists, but no file can be made in it
		{"profile", vdp, "--out", "/proc/self"},
		{"compare", threeBody, "--runs", "1", "--out", "/proc/self"},
	} {
		code, stdout, stderr := call(args...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, stderr)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "identify: --out: ", args)
		assert.NotContains(t, stderr, "epoch", "%v: refused before the computation", args)
	}
}

// TestFitBusyFolder: a second fit into a folder another one is writing is
// refused, naming the folder and the pid; a stale lock (its process gone) is
// taken over; the lock is removed afterwards.
func TestFitBusyFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	lock := dir + ".lock"
	require.NoError(t, os.WriteFile(lock, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644))
	code, _, stderr := call("fit", vdp, "--out", dir, "--epochs", "2")
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, fmt.Sprintf("--out: %s is busy: another fit (pid %d) is writing it", dir, os.Getpid()))
	_, err := os.Stat(filepath.Join(dir, "result.json"))
	assert.True(t, os.IsNotExist(err))

	require.NoError(t, os.WriteFile(lock, []byte(strconv.Itoa(deadPid(t))+"\n"), 0o644))
	code, _, stderr = call("fit", vdp, "--out", dir, "--epochs", "2")
	assert.Equal(t, exitOK, code, stderr)
	_, err = os.Stat(lock)
	assert.True(t, os.IsNotExist(err), "the lock is released")
}

// deadPid is the pid of a process that has ended.
func deadPid(t *testing.T) int {
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	return cmd.Process.Pid
}

// TestFitReplacesTheSetWhole: the files of a fit are one set: a rerun into
// the folder leaves none of the old run's outputs (here the trajectory and
// orbit plot an extrapolating run made), keeps the user's own files, and
// leaves no temporary folder behind.
func TestFitReplacesTheSetWhole(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	src := strings.Replace(zeroLoss, "z0 = [0.0]", "z0 = [1.0]", 1)
	code, _, stderr := call("fit", writeScenario(t, "a", src+"\n[extrapolate]\nt1 = 2\npoints = 5\n"), "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	require.FileExists(t, filepath.Join(dir, "trajectory.csv"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644))
	code, _, stderr = call("fit", writeScenario(t, "b", src+"\n[extrapolate]\nt1 = 1000\npoints = 5\n"), "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	_, err := os.Stat(filepath.Join(dir, "trajectory.csv"))
	assert.True(t, os.IsNotExist(err), "the old run's trajectory is gone")
	assert.FileExists(t, filepath.Join(dir, "notes.txt"))
	assert.FileExists(t, filepath.Join(dir, "result.json"))
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary, old or lock files beside the folder")
}

// TestFitHistoryBounded: a long fit wrote its whole history into result.json
// (18 MB for 64k epochs); result.json now keeps at most 1000 entries, evenly
// thinned with the first and last kept and "history_thinned": true, and
// history.csv has them all; --resume reads them back.
func TestFitHistoryBounded(t *testing.T) {
	file := writeScenario(t, "long", strings.Replace(zeroLoss, "z0 = [0.0]", "z0 = [1.0]", 1)+"optimizer = \"adam\"\nlr = 1e-4\n")
	dir := filepath.Join(t.TempDir(), "out")
	code, _, stderr := call("fit", file, "--out", dir, "--epochs", "1500")
	require.Equal(t, exitOK, code, stderr)
	res := readResult(t, dir)
	assert.True(t, res.HistoryThinned)
	require.Len(t, res.History, maxHistory)
	assert.Equal(t, 1, res.History[0].Epoch)
	assert.Equal(t, 1500, res.History[len(res.History)-1].Epoch)
	assert.Len(t, res.Starts[0].History, maxHistory)
	csv, err := os.ReadFile(filepath.Join(dir, "history.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	assert.Equal(t, "start,epoch,loss,k", lines[0])
	assert.Len(t, lines, 1501, "header and every epoch")

	code, _, stderr = call("fit", file, "--resume", dir, "--epochs", "1600")
	require.Equal(t, exitOK, code, stderr)
	csv, err = os.ReadFile(filepath.Join(dir, "history.csv"))
	require.NoError(t, err)
	assert.Equal(t, 1601, strings.Count(string(csv), "\n"), "the resumed fit keeps the full history")
}

// TestFitAdjointWarnsOnce: a fit with the adjoint gradient on van der Pol,
// whose backward solve drifts by orders of magnitude, warns once.
func TestFitAdjointWarnsOnce(t *testing.T) {
	code, _, stderr := call("fit", vdp, "--method", "adjoint", "--optimizer", "adam", "--epochs", "3", "--out", t.TempDir())
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, 1, strings.Count(stderr, "the adjoint gradient is unreliable"), stderr)
	code, _, stderr = call("fit", vdp, "--method", "aca", "--optimizer", "adam", "--epochs", "3", "--out", t.TempDir())
	require.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stderr, "adjoint gradient")
}

// TestFitIntoTheWorkingFolder: --out . (or a symbolic link) is never renamed
// away: its files are replaced one by one, the user's own kept.
func TestFitIntoTheWorkingFolder(t *testing.T) {
	file, err := filepath.Abs(writeScenario(t, "z", strings.Replace(zeroLoss, "z0 = [0.0]", "z0 = [1.0]", 1)))
	require.NoError(t, err)
	work := t.TempDir()
	t.Chdir(work)
	require.NoError(t, os.WriteFile("notes.txt", []byte("mine"), 0o644))
	for range 2 {
		code, _, stderr := call("fit", file, "--out", ".")
		require.Equal(t, exitOK, code, stderr)
	}
	assert.FileExists(t, filepath.Join(work, "result.json"))
	assert.FileExists(t, filepath.Join(work, "notes.txt"))
	entries, err := os.ReadDir(filepath.Dir(work))
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".tmp-")
		assert.NotContains(t, e.Name(), ".lock")
	}

	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(work, link))
	code, _, stderr := call("fit", file, "--out", link)
	require.Equal(t, exitOK, code, stderr)
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link stays a link")
}

// TestFitJSONGoesThroughMarshalJSON: fit --json printed with
// json.MarshalIndent, which fails on a non-finite number (and the error was
// dropped: nothing printed); it now writes null, as result.json does.
func TestFitJSONGoesThroughMarshalJSON(t *testing.T) {
	var b strings.Builder
	require.NoError(t, printJSON(&b, &resultJSON{Loss: math.Inf(1), Parameters: map[string]paramJSON{"k": {Value: math.NaN()}}}))
	assert.Contains(t, b.String(), `"loss": null`)
	assert.Contains(t, b.String(), `"value": null`)
	code, stdout, stderr := call("fit", vdp, "--epochs", "2", "--out", t.TempDir(), "--json")
	require.Equal(t, exitOK, code, stderr)
	var res resultJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
}

// TestFitRecoversAKilledCommit: a fit killed between moving the old set
// aside and moving the new one in left no folder at all; the next fit finds
// the stale lock, puts the old set back, clears the leftovers and writes.
func TestFitRecoversAKilledCommit(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	pid := deadPid(t)
	old := fmt.Sprintf("%s.old-%d", dir, pid)
	require.NoError(t, os.MkdirAll(old, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(old, "notes.txt"), []byte("mine"), 0o644))
	require.NoError(t, os.MkdirAll(tmpName(dir, pid), 0o755))
	require.NoError(t, os.WriteFile(dir+".lock", []byte(strconv.Itoa(pid)), 0o644))
	code, _, stderr := call("fit", vdp, "--epochs", "2", "--out", dir)
	require.Equal(t, exitOK, code, stderr)
	assert.FileExists(t, filepath.Join(dir, "notes.txt"))
	assert.FileExists(t, filepath.Join(dir, "result.json"))
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "only the folder is left")
}

// TestFitTwoAtOnce: two fits into one folder at the same time used to leave
// one run's result.json beside the other's plots. One of them now holds the
// lock and the other is refused (or runs after it); the folder holds one
// whole set.
func TestFitTwoAtOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	type run struct {
		code   int
		stderr string
	}
	runs := make(chan run, 2)
	for _, epochs := range []string{"3", "4"} {
		go func() {
			code, _, stderr := call("fit", threeBody, "--epochs", epochs, "--out", dir)
			runs <- run{code, stderr}
		}()
	}
	ok := 0
	for range 2 {
		r := <-runs
		switch r.code {
		case exitOK:
			ok++
		case exitUsage:
			assert.Contains(t, r.stderr, dir+" is busy: another fit (pid ")
		default:
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
	}
	assert.GreaterOrEqual(t, ok, 1)
	res := readResult(t, dir)
	assert.Len(t, res.History, res.Epochs, "one run's result.json")
	csv, err := os.ReadFile(filepath.Join(dir, "history.csv"))
	require.NoError(t, err)
	assert.Equal(t, res.Epochs+1, strings.Count(string(csv), "\n"), "and the same run's history.csv")
}
