package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/internal/slurm"
	"github.com/physid/physid/internal/slurm/slurmtest"
)

// testBinary is the test binary itself, which acts as identify when
// PHYSID_TEST_IDENTIFY=1 (see shard_test.go).
func testBinary(t *testing.T) string {
	exe, err := os.Executable()
	require.NoError(t, err)
	return exe
}

func TestSlurmWritesScripts(t *testing.T) {
	dir := t.TempDir()
	s := scenarioFile(t, dir, "x = 1\n")
	out := filepath.Join(dir, "run")
	exe := testBinary(t)
	code, stdout, stderr := callIdentify(t, "slurm", "fake", s, "--count", "16", "--out", out, "--tasks", "4",
		"--partition", "short", "--time", "00:10:00", "--cpus-per-task", "2", "--mem", "1G", "--identify", exe, "--seed=3")
	require.Equal(t, exitOK, code, stderr)
	array := filepath.Join(out, "slurm", "array.sbatch")
	assert.Equal(t, "wrote "+array+": 4 array tasks of identify fake "+s+" --count=16 --out="+out+" --seed=3 --shard auto\n"+
		"wrote "+filepath.Join(out, "slurm", "merge.sbatch")+": identify merge "+out+", after the array\n"+
		"submit both with: bash "+filepath.Join(out, "slurm", "submit.sh")+" (or run this command with --submit)\n", stdout)
	b, err := os.ReadFile(array)
	require.NoError(t, err)
	text := string(b)
	for _, want := range []string{
		"#SBATCH --array=0-3\n", "#SBATCH --job-name=identify-fake\n", "#SBATCH --partition=short\n",
		"#SBATCH --time=00:10:00\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --mem=1G\n",
		"#SBATCH --output=" + filepath.Join(out, "slurm", "logs") + "/task-%a.out\n",
		"\nexec " + exe + " fake " + s + " --count=16 --out=" + out + " --seed=3 --shard auto\n",
	} {
		assert.Contains(t, text, want)
	}
	m, err := os.ReadFile(filepath.Join(out, "slurm", "merge.sbatch"))
	require.NoError(t, err)
	assert.Contains(t, string(m), "\nexec "+exe+" merge "+out+" --out "+out+" --shards 4\n")
}

func TestSlurmRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	s := scenarioFile(t, dir, "x = 1\n")
	out := filepath.Join(dir, "run")
	exe := testBinary(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", []string{"--tasks", "2"}, "slurm needs a COMMAND to run"},
		{"not sharded", []string{"grad", s, "--tasks", "2"}, `slurm: "grad" cannot be sharded (commands with --shard and a merge: compare, fake, fit, images icc, latent compare, profile)`},
		{"no tasks", []string{"fake", s, "--out", out, "--identify", exe}, "slurm: --tasks N is required"},
		{"no out", []string{"fake", s, "--tasks", "2", "--identify", exe}, "slurm: give fake --out DIR, a folder on the file system the nodes share"},
		{"shard given", []string{"fake", s, "--out", out, "--tasks", "2", "--shard", "0/2"}, "slurm: drop --shard 0/2; each array task gets --shard auto"},
		{"flag of another command", []string{"fake", s, "--out", out, "--tasks", "2", "--epochs", "3", "--identify", exe}, "slurm: fake: flag provided but not defined: -epochs"},
		{"bad time", []string{"fake", s, "--out", out, "--tasks", "2", "--time", "1h", "--identify", exe}, `--time "1h": want HH:MM:SS`},
		{"bad binary", []string{"fake", s, "--out", out, "--tasks", "2", "--identify", dir}, "--identify: " + dir + " is not an executable file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := callIdentify(t, append([]string{"slurm"}, tc.args...)...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

func TestSlurmSubmitWithoutSbatch(t *testing.T) {
	dir := t.TempDir()
	s := scenarioFile(t, dir, "x = 1\n")
	t.Setenv("PATH", t.TempDir())
	code, _, stderr := callIdentify(t, "slurm", "fake", s, "--out", filepath.Join(dir, "run"), "--tasks", "2", "--identify", testBinary(t), "--submit")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "identify: sbatch not found on PATH; install Debian's slurm-client (apt-get install slurm-client) or run on a cluster login node\n", stderr)
	assert.NoFileExists(t, filepath.Join(dir, "run", "slurm", "array.sbatch"), "nothing is written that cannot be submitted")
}

var submittedIDs = regexp.MustCompile(`submitted array job ([0-9]+) \(\d+ tasks\) and merge job ([0-9]+)`)

// submitFake runs identify slurm fake ... --submit with the test binary as
// identify and waits for both jobs.
func submitFake(t *testing.T, s, out string, args ...string) (array, merge []slurm.JobState) {
	t.Helper()
	return submitJobs(t, "fake", s, out, args...)
}

// submitJobs runs identify slurm COMMAND s ... --submit with the test binary
// as identify and waits for both jobs.
func submitJobs(t *testing.T, command, s, out string, args ...string) (array, merge []slurm.JobState) {
	t.Helper()
	code, stdout, stderr := callIdentify(t, append([]string{"slurm", command, s, "--out", out, "--identify", testBinary(t), "--submit"}, args...)...)
	require.Equal(t, exitOK, code, stderr)
	m := submittedIDs.FindStringSubmatch(stdout)
	require.NotNil(t, m, stdout)
	assert.Contains(t, stdout, "follow:  squeue -j "+m[1]+","+m[2])
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if strings.Contains(strings.Join(args, " "), "--sleep") {
		require.NoError(t, exec.Command("scancel", m[1]).Run())
	}
	all, err := slurm.Wait(ctx, 200*time.Millisecond, m[1], m[2])
	require.NoError(t, err)
	return all[0], all[1]
}

// TestSlurmShardedRunOnLocalCluster submits sharded runs of the stand-in
// command to a real local Slurm cluster: the merge job's result equals the
// single-machine run's; a failing shard and a cancelled array make the merge
// job exit 2 naming the shards.
func TestSlurmShardedRunOnLocalCluster(t *testing.T) {
	slurmtest.Start(t)
	t.Setenv(envIdentify, "1") // the jobs' test binary acts as identify
	dir := t.TempDir()
	s := scenarioFile(t, dir, "x = 1\n")

	t.Run("merged equals single machine", func(t *testing.T) {
		whole, out := filepath.Join(dir, "whole"), filepath.Join(dir, "sharded")
		code, _, stderr := callIdentify(t, "fake", s, "--out", whole, "--count", "16", "--seed", "5")
		require.Equal(t, exitOK, code, stderr)
		t0 := time.Now()
		array, merge := submitFake(t, s, out, "--count", "16", "--seed", "5", "--tasks", "4")
		t.Logf("4-task array and merge: %.1f s", time.Since(t0).Seconds())
		require.Len(t, array, 4)
		for _, j := range array {
			assert.Equal(t, "COMPLETED", j.State, "task %s", j.ArrayTaskID)
		}
		require.Equal(t, "COMPLETED", merge[0].State)
		want, err := os.ReadFile(filepath.Join(whole, "result.json"))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(out, "result.json"))
		require.NoError(t, err)
		assert.Equal(t, withoutTiming(want), withoutTiming(got))
	})

	// The real sharded commands: a 16-start fit in 4 array tasks and a
	// profile's sides in 3, each merged by the merge job into what the
	// single-machine run writes, byte for byte but for result.json's timing.
	for _, tc := range []struct {
		command string
		args    []string
		tasks   string
		files   []string
	}{
		{"fit", []string{mustAbs(t, lvScenario), "--starts", "16", "--epochs", "3", "--seed", "5"}, "4", fitFiles},
		{"profile", []string{mustAbs(t, sirScenario), "--points", "4", "--epochs", "20"}, "3", []string{"profile.json", "profile_beta.png", "profile_gamma.png"}},
	} {
		t.Run(tc.command+" merged equals single machine", func(t *testing.T) {
			whole, out := filepath.Join(dir, tc.command+"-whole"), filepath.Join(dir, tc.command+"-sharded")
			code, _, stderr := callIdentify(t, append([]string{tc.command, "--out", whole}, tc.args...)...)
			require.Equal(t, exitOK, code, stderr)
			t0 := time.Now()
			array, merge := submitJobs(t, tc.command, tc.args[0], out, append(tc.args[1:], "--tasks", tc.tasks)...)
			t.Logf("%s: %s-task array and merge: %.1f s", tc.command, tc.tasks, time.Since(t0).Seconds())
			for _, j := range array {
				assert.Equal(t, "COMPLETED", j.State, "task %s", j.ArrayTaskID)
			}
			require.Equal(t, "COMPLETED", merge[0].State)
			sameFiles(t, whole, out, tc.files...)
		})
	}

	t.Run("failing shard", func(t *testing.T) {
		out := filepath.Join(dir, "failing")
		array, merge := submitFake(t, s, out, "--tasks", "4", "--fail", "2")
		for _, j := range array {
			want := "COMPLETED"
			if j.ArrayTaskID == "2" {
				want = "FAILED"
			}
			assert.Equal(t, want, j.State, "task %s", j.ArrayTaskID)
		}
		assert.Equal(t, "FAILED", merge[0].State)
		assert.Equal(t, "2:0", merge[0].ExitCode, "the merge job exits 2")
		log, err := os.ReadFile(slurm.MergeLog(filepath.Join(out, "slurm", "logs")))
		require.NoError(t, err)
		assert.Contains(t, string(log), "identify: merge: shard 2 of 4 failed: fake: the shard was told to fail")
		assert.Contains(t, string(log), "shard 2 is Slurm array task 2; its log: "+filepath.Join(out, "slurm", "logs", "task-2.out"))
	})

	t.Run("cancelled array", func(t *testing.T) {
		out := filepath.Join(dir, "cancelled")
		array, merge := submitFake(t, s, out, "--tasks", "3", "--sleep", "30")
		for _, j := range array {
			assert.Equal(t, "CANCELLED", j.State, "task %s", j.ArrayTaskID)
		}
		assert.Equal(t, "2:0", merge[0].ExitCode, "the merge job exits 2")
		log, err := os.ReadFile(slurm.MergeLog(filepath.Join(out, "slurm", "logs")))
		require.NoError(t, err)
		assert.Contains(t, string(log), "identify: merge: ")
		assert.Contains(t, string(log), "shard 0 of 3 is missing: no shard-0-of-3.json in "+out)
	})
}

// TestSlurmPassThroughIsUnambiguous checks what identify slurm relies on to
// pass COMMAND's flags on: a flag name is a boolean in every command that
// has it or in none, and none is one of identify slurm's own.
func TestSlurmPassThroughIsUnambiguous(t *testing.T) {
	isBool := map[string]string{}
	for _, c := range commands() {
		if c.name == "slurm" || c.name == "merge" {
			continue
		}
		fset, _ := c.flagSet(io.Discard)
		fset.VisitAll(func(f *flag.Flag) {
			assert.False(t, slurmOwnFlags[f.Name] && f.Name != "shard", "identify %s -%s is also a flag of identify slurm", c.name, f.Name)
			kind := fmt.Sprintf("%v", isBoolFlag(f))
			if prev, ok := isBool[f.Name]; ok {
				assert.True(t, strings.HasPrefix(prev, kind), "-%s: boolean %s, and in %s %s", f.Name, prev, c.name, kind)
			}
			isBool[f.Name] = kind + " in " + c.name
		})
	}
	code, stdout, _ := callIdentify(t, "help", "slurm")
	require.Equal(t, exitOK, code)
	assert.NotContains(t, stdout, passedOn, "the help lists only identify slurm's own flags")
	assert.Contains(t, stdout, "-tasks int")
	code, stdout, _ = callIdentify(t, "slurm", "-h")
	require.Equal(t, exitOK, code)
	assert.NotContains(t, stdout, passedOn)
	assert.Contains(t, stdout, "Usage: identify slurm COMMAND ARGS...")
}

func mustAbs(t *testing.T, path string) string {
	abs, err := filepath.Abs(path)
	require.NoError(t, err)
	return abs
}
