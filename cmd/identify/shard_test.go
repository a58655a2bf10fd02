package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/internal/atomicfile"
	"github.com/physid/physid/internal/shard"
)

// envIdentify makes the test binary act as the identify binary (for the
// Slurm jobs the cluster tests submit): it runs the command line and exits
// before any test starts.
const envIdentify = "PHYSID_TEST_IDENTIFY"

// The stand-in sharded command "fake" is registered for every test, as
// fit and profile register theirs.
func init() {
	extraCommands = append(extraCommands, fakeCommand())
	registerCombiner("fake", combineFake)
	if os.Getenv(envIdentify) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
}

// fakeCommand is the shape a sharded command takes: COUNT independent tasks,
// task k seeded by (seed, k) alone; with --shard it does its share and
// writes a partial result, without it the whole result. --fail I makes shard
// I fail, --sleep S makes each task take S seconds.
func fakeCommand() command {
	return command{
		name: "fake", args: "SCENARIO --out DIR [--count N] [--seed S] [--shard I/N]",
		summary: "A stand-in sharded command for the tests.",
		flags: func(fset *flag.FlagSet) func([]string, io.Writer, io.Writer) error {
			out := fset.String("out", "", "output folder")
			count := fset.Int("count", 8, "number of tasks")
			seed := fset.Uint64("seed", 1, "run seed")
			fail := fset.Int("fail", -1, "shard that fails")
			sleep := fset.Float64("sleep", 0, "seconds per task")
			sh := addShardFlag(fset)
			return func(pos []string, stdout, stderr io.Writer) error {
				if len(pos) != 1 || *out == "" {
					return usagef("fake needs SCENARIO and --out")
				}
				return runFake(pos[0], *out, *count, *seed, *fail, *sleep, *sh, stdout)
			}
		},
	}
}

type fakeTask struct {
	Task  int    `json:"task"`
	Value uint64 `json:"value"`
}

type fakeResult struct {
	Command  string     `json:"command"`
	Scenario string     `json:"scenario"`
	Count    int        `json:"count"`
	Seed     uint64     `json:"seed"`
	Tasks    []fakeTask `json:"tasks"`
	Best     fakeTask   `json:"best"`
	Seconds  float64    `json:"seconds"` // timing: differs between runs
}

type fakeSettings struct {
	Count int    `json:"count"`
	Seed  uint64 `json:"seed"`
}

type fakePayload struct {
	Tasks   []fakeTask `json:"tasks"`
	Seconds float64    `json:"seconds"`
}

func runFake(scenario, out string, count int, seed uint64, fail int, sleep float64, shardValue string, stdout io.Writer) error {
	t0 := time.Now()
	r, err := newShardRun("fake", shardValue, scenario, fakeSettings{count, seed})
	if err != nil {
		return err
	}
	if shardValue != "" && r.spec.Index == fail {
		return runtimeError{err: r.fail(out, errors.New("fake: the shard was told to fail"))}
	}
	var tasks []fakeTask
	for k := range count {
		if !r.owns(k) {
			continue
		}
		time.Sleep(time.Duration(sleep * float64(time.Second)))
		tasks = append(tasks, fakeTask{k, shard.TaskSeed(seed, k) % 1000})
	}
	if shardValue != "" {
		path, err := r.write(out, count, fakePayload{tasks, time.Since(t0).Seconds()})
		if err == nil {
			fmt.Fprintf(stdout, "wrote %s\n", path)
		}
		return err
	}
	return writeFake(out, fakeResult{Command: "fake", Scenario: scenario, Count: count, Seed: seed, Tasks: tasks, Seconds: time.Since(t0).Seconds()}, stdout)
}

// writeFake completes a result (its best task) and writes result.json: the
// one writer both the single-machine run and the merge use.
func writeFake(out string, res fakeResult, stdout io.Writer) error {
	res.Best = res.Tasks[0]
	for _, t := range res.Tasks {
		if t.Value < res.Best.Value {
			res.Best = t
		}
	}
	b, _, err := marshalJSON(res)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(out, "result.json")
	if err := atomicfile.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	return nil
}

func combineFake(m *shard.Merged, out string, stdout io.Writer) error {
	var set fakeSettings
	if err := json.Unmarshal(m.Settings, &set); err != nil {
		return err
	}
	res := fakeResult{Command: "fake", Scenario: m.Scenario, Count: set.Count, Seed: set.Seed, Tasks: make([]fakeTask, m.TotalTasks)}
	for _, p := range m.Parts {
		var pl fakePayload
		if err := json.Unmarshal(p.Payload, &pl); err != nil {
			return fmt.Errorf("%s: %w", p.Spec().FileName(), err)
		}
		for _, t := range pl.Tasks {
			res.Tasks[t.Task] = t
		}
		res.Seconds += pl.Seconds
	}
	return writeFake(out, res, stdout)
}

// callIdentify runs the command line in-process.
func callIdentify(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e strings.Builder
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func scenarioFile(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "s.toml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

var timing = regexp.MustCompile(`"(epoch_)?seconds": [0-9.e+-]+`)

// withoutTiming blanks the timing fields of a result.json.
func withoutTiming(b []byte) string { return timing.ReplaceAllString(string(b), `"${1}seconds": 0`) }

func TestShardFlagRejectsBadValues(t *testing.T) {
	dir := t.TempDir()
	s := scenarioFile(t, dir, "x = 1\n")
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	t.Setenv("JOB_COMPLETION_INDEX", "")
	for value, want := range map[string]string{
		"3/2":  `identify: --shard "3/2": shard index 3 is not below the shard count 2 (shards are numbered 0..1)`,
		"a/b":  `identify: --shard "a/b": shard index "a" is not a whole number ≥ 0 (want I/N, 0 ≤ I < N)`,
		"auto": `identify: --shard "auto": neither SLURM_ARRAY_TASK_ID (a Slurm array task) nor JOB_COMPLETION_INDEX (a Kubernetes indexed Job) is set; give --shard I/N instead`,
	} {
		code, _, stderr := callIdentify(t, "fake", s, "--out", dir, "--shard", value)
		assert.Equal(t, exitUsage, code, value)
		assert.Equal(t, want+"\n", stderr)
	}
	t.Setenv("SLURM_ARRAY_TASK_ID", "1")
	t.Setenv("SLURM_ARRAY_TASK_COUNT", "3")
	code, stdout, stderr := callIdentify(t, "fake", s, "--out", dir, "--shard", "auto")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "wrote "+filepath.Join(dir, "shard-1-of-3.json")+"\n", stdout)
}

// TestMergeEqualsSingleMachine is the contract of every sharded command: the
// merge of its shards writes the single-machine result.json byte for byte,
// timing fields aside, whichever folders the shards were written to.
func TestMergeEqualsSingleMachine(t *testing.T) {
	dir := t.TempDir()
	s := scenarioFile(t, dir, "x = 1\n")
	whole, a, b := filepath.Join(dir, "whole"), filepath.Join(dir, "a"), filepath.Join(dir, "b")
	code, _, stderr := callIdentify(t, "fake", s, "--out", whole, "--count", "16", "--seed", "7")
	require.Equal(t, exitOK, code, stderr)
	for i := range 5 {
		out := a
		if i%2 == 1 {
			out = b
		}
		code, _, stderr := callIdentify(t, "fake", s, "--out", out, "--count", "16", "--seed", "7", "--shard", fmt.Sprintf("%d/5", i))
		require.Equal(t, exitOK, code, stderr)
	}
	merged := filepath.Join(dir, "merged")
	code, stdout, stderr := callIdentify(t, "merge", a, b, "--out", merged)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "wrote "+filepath.Join(merged, "result.json")+"\n", stdout)
	want, err := os.ReadFile(filepath.Join(whole, "result.json"))
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(merged, "result.json"))
	require.NoError(t, err)
	assert.Equal(t, withoutTiming(want), withoutTiming(got))
	assert.Contains(t, string(got), `"best": {`)
}

func TestMergeNamesBadShards(t *testing.T) {
	dir := t.TempDir()
	s := scenarioFile(t, dir, "x = 1\n")
	other := filepath.Join(dir, "other")
	require.NoError(t, os.Mkdir(other, 0o755))
	s2 := scenarioFile(t, other, "x = 2\n")
	shardOf := func(scenario, out, spec string, extra ...string) {
		t.Helper()
		code, _, stderr := callIdentify(t, append([]string{"fake", scenario, "--out", out, "--shard", spec}, extra...)...)
		require.Equal(t, exitOK, code, stderr)
	}
	t.Run("missing and failed", func(t *testing.T) {
		out := filepath.Join(dir, "m")
		shardOf(s, out, "0/3")
		code, _, _ := callIdentify(t, "fake", s, "--out", out, "--shard", "1/3", "--fail", "1")
		require.Equal(t, exitRuntime, code)
		// identify slurm lays out the logs; the merge points at them.
		require.NoError(t, os.MkdirAll(filepath.Join(out, "slurm", "logs"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(out, "slurm", "logs", "task-2.out"), nil, 0o644))
		code, _, stderr := callIdentify(t, "merge", out)
		assert.Equal(t, exitUsage, code)
		assert.Equal(t, "identify: merge: 2 problems:\n"+
			"  shard 1 of 3 failed: fake: the shard was told to fail ("+filepath.Join(out, "shard-1-of-3.failed.json")+")\n"+
			"  shard 2 of 3 is missing: no shard-2-of-3.json in "+out+"\n"+
			"  shard 2 is Slurm array task 2; its log: "+filepath.Join(out, "slurm", "logs", "task-2.out")+"\n", stderr)
	})
	t.Run("different scenario", func(t *testing.T) {
		out := filepath.Join(dir, "d")
		shardOf(s, out, "0/2")
		shardOf(s2, out, "1/2")
		code, _, stderr := callIdentify(t, "merge", out)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, filepath.Join(out, "shard-1-of-2.json")+": scenario "+s2+" has SHA-256 ")
		assert.Contains(t, stderr, "(different scenario)")
	})
	t.Run("different settings", func(t *testing.T) {
		out := filepath.Join(dir, "e")
		shardOf(s, out, "0/2", "--seed", "1")
		shardOf(s, out, "1/2", "--seed", "2")
		code, _, stderr := callIdentify(t, "merge", out)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, `settings {"count":8,"seed":2} differ from `)
	})
	t.Run("different shard count and duplicate", func(t *testing.T) {
		a, b := filepath.Join(dir, "n1"), filepath.Join(dir, "n2")
		shardOf(s, a, "0/2")
		shardOf(s, a, "1/2")
		shardOf(s, b, "1/2")
		shardOf(s, b, "2/3")
		code, _, stderr := callIdentify(t, "merge", a, b)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, "duplicate shard 1 of 2: "+filepath.Join(a, "shard-1-of-2.json")+" and "+filepath.Join(b, "shard-1-of-2.json"))
		assert.Contains(t, stderr, filepath.Join(b, "shard-2-of-3.json")+": is from a run of 3 shards")
	})
	t.Run("no combiner", func(t *testing.T) {
		out := filepath.Join(dir, "x")
		require.NoError(t, os.MkdirAll(out, 0o755))
		_, err := shard.Write(out, &shard.Partial{Command: "nope", Shard: 0, Of: 1, TotalTasks: 0})
		require.NoError(t, err)
		code, _, stderr := callIdentify(t, "merge", out)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, `are of "nope", which has no merge (mergeable: compare, fake, fit, images icc, latent compare, profile)`)
	})
	t.Run("no folder", func(t *testing.T) {
		code, _, stderr := callIdentify(t, "merge")
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, stderr, "merge needs at least one DIR")
	})
}
