package shard_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/internal/shard"
)

// writeRun writes shards of a run of total tasks in of shards into dir, each
// payload the list of its tasks' squares, and returns the paths.
func writeRun(t *testing.T, dir string, of, total int, hash string, shards ...int) []string {
	t.Helper()
	var paths []string
	for _, i := range shards {
		s := shard.Spec{Index: i, Count: of}
		var sq []int
		for _, k := range s.Tasks(total) {
			sq = append(sq, k*k)
		}
		payload, err := json.Marshal(sq)
		require.NoError(t, err)
		path, err := shard.Write(dir, &shard.Partial{
			Command: "fake", Scenario: "s.toml", ScenarioSHA256: hash,
			Settings: json.RawMessage(`{"seed": 1}`),
			Shard:    i, Of: of, TotalTasks: total, Tasks: s.Tasks(total), Payload: payload,
		})
		require.NoError(t, err)
		paths = append(paths, path)
	}
	return paths
}

func TestMergeReturnsShardsInOrder(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeRun(t, a, 12, 30, "h", 0, 5, 10, 11, 2, 3)
	writeRun(t, b, 12, 30, "h", 1, 4, 6, 7, 8, 9)
	m, err := shard.Merge([]string{b, a, b}, 0) // a folder twice counts once
	require.NoError(t, err)
	assert.Equal(t, "fake", m.Command)
	assert.Equal(t, 12, m.Of)
	assert.Equal(t, 30, m.TotalTasks)
	assert.JSONEq(t, `{"seed":1}`, string(m.Settings))
	// Reassemble the tasks from the payloads: every square once, in order.
	got := make([]int, m.TotalTasks)
	for i, p := range m.Parts {
		assert.Equal(t, i, p.Shard)
		var sq []int
		require.NoError(t, json.Unmarshal(m.Payloads()[i], &sq))
		for j, k := range p.Tasks {
			got[k] = sq[j]
		}
	}
	for k, v := range got {
		assert.Equal(t, k*k, v)
	}
	assert.Equal(t, filepath.Join(a, "shard-10-of-12.json"), m.Files[10])
}

func TestMergeNamesEveryProblem(t *testing.T) {
	t.Run("missing", func(t *testing.T) {
		dir := t.TempDir()
		writeRun(t, dir, 4, 16, "h", 0, 2)
		_, err := shard.Merge([]string{dir}, 0)
		var me *shard.MergeError
		require.ErrorAs(t, err, &me)
		assert.True(t, errors.Is(err, shard.ErrMerge))
		assert.Equal(t, []int{1, 3}, me.Missing)
		assert.Contains(t, err.Error(), "shard 1 of 4 is missing: no shard-1-of-4.json in "+dir)
		assert.Contains(t, err.Error(), "shard 3 of 4 is missing")
	})
	t.Run("failed", func(t *testing.T) {
		dir := t.TempDir()
		writeRun(t, dir, 3, 6, "h", 0, 2)
		require.NoError(t, shard.WriteFailure(dir, "fake", shard.Spec{1, 3}, errors.New("solver: step size underflow")))
		_, err := shard.Merge([]string{dir}, 0)
		var me *shard.MergeError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, []int{1}, me.Missing)
		assert.Equal(t, "solver: step size underflow", me.Failed[1])
		assert.Equal(t, "shard: cannot merge: shard 1 of 3 failed: solver: step size underflow ("+filepath.Join(dir, "shard-1-of-3.failed.json")+")", err.Error())
		// A rerun that succeeds replaces the note.
		writeRun(t, dir, 3, 6, "h", 1)
		_, err = shard.Merge([]string{dir}, 0)
		require.NoError(t, err)
		assert.NoFileExists(t, filepath.Join(dir, "shard-1-of-3.failed.json"))
	})
	t.Run("different scenario", func(t *testing.T) {
		a, b := t.TempDir(), t.TempDir()
		writeRun(t, a, 2, 4, "aaaaaaaaaaaaaaaaaaaa", 0)
		writeRun(t, b, 2, 4, "bbbbbbbbbbbbbbbbbbbb", 1)
		_, err := shard.Merge([]string{a, b}, 0)
		require.Error(t, err)
		assert.Contains(t, err.Error(), filepath.Join(b, "shard-1-of-2.json")+": scenario s.toml has SHA-256 bbbbbbbbbbbb…, "+filepath.Join(a, "shard-0-of-2.json")+"'s s.toml has aaaaaaaaaaaa… (different scenario)")
		assert.Contains(t, err.Error(), "shard 1 of 2 is missing")
	})
	t.Run("different count", func(t *testing.T) {
		a, b := t.TempDir(), t.TempDir()
		writeRun(t, a, 2, 4, "h", 0, 1)
		writeRun(t, b, 3, 4, "h", 2)
		_, err := shard.Merge([]string{a, b}, 0)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is from a run of 3 shards")
		assert.Contains(t, err.Error(), "(different shard count)")
	})
	t.Run("duplicate", func(t *testing.T) {
		a, b := t.TempDir(), t.TempDir()
		writeRun(t, a, 2, 4, "h", 0, 1)
		writeRun(t, b, 2, 4, "h", 1)
		_, err := shard.Merge([]string{a, b}, 0)
		require.Error(t, err)
		assert.Equal(t, "shard: cannot merge: duplicate shard 1 of 2: "+filepath.Join(a, "shard-1-of-2.json")+" and "+filepath.Join(b, "shard-1-of-2.json"), err.Error())
	})
	t.Run("different settings", func(t *testing.T) {
		dir := t.TempDir()
		writeRun(t, dir, 2, 4, "h", 0)
		p, err := shard.Read(filepath.Join(dir, "shard-0-of-2.json"))
		require.NoError(t, err)
		p.Shard, p.Tasks, p.Settings = 1, []int{1, 3}, json.RawMessage(`{"seed":2}`)
		_, err = shard.Write(dir, p)
		require.NoError(t, err)
		_, err = shard.Merge([]string{dir}, 0)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `settings {"seed":2} differ`)
	})
	t.Run("renamed", func(t *testing.T) {
		dir := t.TempDir()
		writeRun(t, dir, 2, 4, "h", 0)
		require.NoError(t, os.Rename(filepath.Join(dir, "shard-0-of-2.json"), filepath.Join(dir, "shard-1-of-2.json")))
		_, err := shard.Merge([]string{dir}, 0)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "holds shard 0 of 2; its name says 1 of 2")
	})
	t.Run("not a shard", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "shard-0-of-1.json"), []byte(`{"command":"fake","shard":0,"of":1,"total_tasks":2,"tasks":[0]}`), 0o644))
		_, err := shard.Merge([]string{dir}, 0)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "lists tasks [0], but shard 0 of 1 owns [0 1] of 2")
	})
	t.Run("expected count", func(t *testing.T) {
		dir := t.TempDir()
		_, err := shard.Merge([]string{dir}, 2)
		var me *shard.MergeError
		require.ErrorAs(t, err, &me)
		assert.Equal(t, []int{0, 1}, me.Missing, "named missing though none finished")
		assert.Contains(t, err.Error(), "shard 0 of 2 is missing: no shard-0-of-2.json in "+dir)
		writeRun(t, dir, 3, 6, "h", 0, 1, 2)
		_, err = shard.Merge([]string{dir}, 2)
		require.ErrorAs(t, err, &me)
		assert.Contains(t, err.Error(), filepath.Join(dir, "shard-0-of-3.json")+": is from a run of 3 shards; this run was launched with 2 (different shard count)")
		assert.Equal(t, []int{0, 1}, me.Missing)
		_, err = shard.Merge([]string{dir}, 3)
		require.NoError(t, err)
	})
	t.Run("empty and absent folders", func(t *testing.T) {
		dir := t.TempDir()
		_, err := shard.Merge([]string{dir}, 0)
		assert.EqualError(t, err, "shard: cannot merge: no shard results (shard-I-of-N.json) in "+dir)
		_, err = shard.Merge([]string{filepath.Join(dir, "nope")}, 0)
		assert.EqualError(t, err, "shard: cannot merge: "+filepath.Join(dir, "nope")+": no such file or directory")
	})
}

func TestWriteIsAtomicAndRejectsWrongTasks(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir, 4, 10, "h", 3)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")
	p, err := shard.Read(filepath.Join(dir, "shard-3-of-4.json"))
	require.NoError(t, err)
	assert.Equal(t, []int{3, 7}, p.Tasks)
	assert.Panics(t, func() {
		shard.Write(dir, &shard.Partial{Command: "x", Shard: 0, Of: 2, TotalTasks: 4, Tasks: []int{0}})
	})
	_, err = shard.Write(dir, &shard.Partial{Command: "x", Shard: 2, Of: 2})
	assert.ErrorIs(t, err, shard.ErrSpec)
}

func ExampleSpec_Tasks() {
	for i := range 3 {
		s := shard.Spec{Index: i, Count: 3}
		fmt.Println(s.FileName(), s.Tasks(8))
	}
	// Output:
	// shard-0-of-3.json [0 3 6]
	// shard-1-of-3.json [1 4 7]
	// shard-2-of-3.json [2 5]
}
