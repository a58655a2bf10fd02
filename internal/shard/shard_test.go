package shard_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/internal/shard"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		value string
		env   func(string) string
		want  shard.Spec
	}{
		{"", nil, shard.Whole},
		{"0/1", nil, shard.Spec{0, 1}},
		{"2/4", nil, shard.Spec{2, 4}},
		{" 3/4 ", nil, shard.Spec{3, 4}},
		{"auto", env("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "4"), shard.Spec{3, 4}},
		{"auto", env("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_MIN", "2", "SLURM_ARRAY_TASK_COUNT", "4"), shard.Spec{3, 4}},
		{"auto/4", env("SLURM_ARRAY_TASK_ID", "1"), shard.Spec{1, 4}},
		{"auto", env("JOB_COMPLETION_INDEX", "7", "JOB_COMPLETION_COUNT", "8"), shard.Spec{7, 8}},
		{"auto/8", env("JOB_COMPLETION_INDEX", "0"), shard.Spec{0, 8}},
		// Slurm wins over Kubernetes when both are set (a Slurm job on a
		// node that happens to carry the variable).
		{"auto", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "2", "JOB_COMPLETION_INDEX", "0", "JOB_COMPLETION_COUNT", "5"), shard.Spec{1, 2}},
	} {
		t.Run(tc.value, func(t *testing.T) {
			got, err := shard.Parse(tc.value, tc.env)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseErrorsNameTheCause(t *testing.T) {
	for _, tc := range []struct {
		value string
		env   func(string) string
		want  string // a part of the message
	}{
		{"3/2", nil, "shard index 3 is not below the shard count 2"},
		{"2/2", nil, "numbered 0..1"},
		{"a/b", nil, `shard index "a" is not a whole number`},
		{"1/b", nil, `shard count "b" is not a whole number`},
		{"-1/2", nil, `shard index "-1"`},
		{"0/0", nil, `shard count "0"`},
		{"3", nil, "want I/N"},
		{"0/99999999", nil, "from 1 to"},
		{"auto", nil, "neither SLURM_ARRAY_TASK_ID (a Slurm array task) nor JOB_COMPLETION_INDEX"},
		{"auto/x", nil, `shard count "x"`},
		{"auto", env("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_COUNT", "4"), `SLURM_ARRAY_TASK_ID="x"`},
		{"auto", env("SLURM_ARRAY_TASK_ID", "1"), "SLURM_ARRAY_TASK_COUNT is not"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_COUNT", "4"), "--array=0-3"},
		{"auto", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_MIN", "2", "SLURM_ARRAY_TASK_COUNT", "4"), "SLURM_ARRAY_TASK_MIN"},
		{"auto/3", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "4"), "disagrees with SLURM_ARRAY_TASK_COUNT=4"},
		{"auto", env("JOB_COMPLETION_INDEX", "1"), "set JOB_COMPLETION_COUNT"},
		{"auto", env("JOB_COMPLETION_INDEX", "3", "JOB_COMPLETION_COUNT", "3"), "JOB_COMPLETION_INDEX=3 is not below"},
		{"auto", env("JOB_COMPLETION_INDEX", "0", "JOB_COMPLETION_COUNT", "zero"), "JOB_COMPLETION_COUNT"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			_, err := shard.Parse(tc.value, tc.env)
			require.Error(t, err)
			assert.True(t, errors.Is(err, shard.ErrSpec))
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestSharesPartitionTheTasks checks that the shards of every count own each
// task exactly once, task k in shard k mod N, and that Owns and Tasks agree.
func TestSharesPartitionTheTasks(t *testing.T) {
	const n = 23
	for count := 1; count <= 30; count++ {
		owner := make([]int, n)
		for i := range owner {
			owner[i] = -1
		}
		for i := range count {
			s := shard.Spec{Index: i, Count: count}
			for _, k := range s.Tasks(n) {
				require.Equal(t, -1, owner[k], "task %d owned twice with %d shards", k, count)
				owner[k] = i
				assert.True(t, s.Owns(k))
			}
		}
		for k, i := range owner {
			assert.Equal(t, k%count, i, "task %d with %d shards", k, count)
		}
	}
	assert.True(t, shard.Spec{}.Owns(5), "the zero Spec is the whole run")
	assert.Equal(t, []int{0, 1, 2}, shard.Spec{}.Tasks(3))
	assert.Equal(t, "shard-2-of-4.json", shard.Spec{2, 4}.FileName())
	assert.Equal(t, "2/4", shard.Spec{2, 4}.String())
}

func TestTaskSeedDependsOnSeedAndTaskOnly(t *testing.T) {
	seen := map[uint64]string{}
	for seed := uint64(0); seed < 4; seed++ {
		for k := range 100 {
			s := shard.TaskSeed(seed, k)
			key := fmt.Sprintf("seed %d task %d", seed, k)
			prev, dup := seen[s]
			require.False(t, dup, "%s collides with %s", key, prev)
			seen[s] = key
			assert.Equal(t, s, shard.TaskSeed(seed, k))
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0/1", "3/2", "a/b", "auto", "auto/4", "1/", "/1", "-0/1", "+1/2"} {
		f.Add(s, "1", "4")
	}
	f.Fuzz(func(t *testing.T, value, id, count string) {
		s, err := shard.Parse(value, env("SLURM_ARRAY_TASK_ID", id, "SLURM_ARRAY_TASK_COUNT", count))
		if err != nil {
			if !errors.Is(err, shard.ErrSpec) {
				t.Fatalf("%q: error %v does not wrap ErrSpec", value, err)
			}
			return
		}
		if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
			t.Fatalf("%q: accepted %+v", value, s)
		}
	})
}
