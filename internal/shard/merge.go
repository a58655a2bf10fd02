package shard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrMerge is wrapped by every *MergeError.
var ErrMerge = errors.New("shard: cannot merge")

// MergeError lists everything that keeps a set of partial results from
// being one run: shards missing (Missing, with the failure note of those that
// left one in Failed), duplicated, or from another run (scenario hash,
// command, settings, shard count or task count differ). Each problem names
// the files at fault.
type MergeError struct {
	Problems []string
	Missing  []int          // shard indices with no result, increasing
	Failed   map[int]string // shard index → the error its failure note records
	Of       int            // the shard count of the run, if one was found
}

func (e *MergeError) Error() string {
	var b strings.Builder
	b.WriteString(ErrMerge.Error())
	if len(e.Problems) == 1 {
		b.WriteString(": " + e.Problems[0])
		return b.String()
	}
	fmt.Fprintf(&b, ": %d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p)
	}
	return b.String()
}

func (e *MergeError) Unwrap() error { return ErrMerge }

// Merged is a complete, consistent set of partial results: Parts[i] is shard
// i of Of, read from Files[i].
type Merged struct {
	Command        string
	Scenario       string
	ScenarioSHA256 string
	Settings       json.RawMessage
	Of             int
	TotalTasks     int
	Parts          []*Partial
	Files          []string
}

// Payloads returns the shards' payloads in shard order.
func (m *Merged) Payloads() []json.RawMessage {
	out := make([]json.RawMessage, len(m.Parts))
	for i, p := range m.Parts {
		out[i] = p.Payload
	}
	return out
}

var (
	resultName  = regexp.MustCompile(`^shard-([0-9]+)-of-([0-9]+)\.json$`)
	failureName = regexp.MustCompile(`^shard-([0-9]+)-of-([0-9]+)\.failed\.json$`)
)

type found struct {
	dir  int // index in the folders given
	path string
	p    *Partial
}

// Merge reads every shard-I-of-N.json in dirs (a folder given twice counts
// once) and checks that together they are all N shards of one run. of is N
// when the caller knows it (the size of the array it launched), so that
// shards can be named missing even when none finished; 0 takes N from the
// files. On success it returns the shards in shard order; otherwise a
// *MergeError that lists every problem it found.
func Merge(dirs []string, of int) (*Merged, error) {
	e := &MergeError{Failed: map[int]string{}}
	files, failures := scanDirs(dirs, e)
	if len(files) == 0 && of > 0 {
		return nil, missingAll(e, dirs, of, failures)
	}
	if len(files) == 0 {
		if len(e.Problems) == 0 {
			e.Problems = append(e.Problems, fmt.Sprintf("no shard results (shard-I-of-N.json) in %s", strings.Join(dirs, ", ")))
		}
		return nil, e
	}
	// The first file in folder order, then shard order, sets the run.
	sort.SliceStable(files, func(a, b int) bool {
		if files[a].dir != files[b].dir {
			return files[a].dir < files[b].dir
		}
		return files[a].p.Shard < files[b].p.Shard
	})
	ref := files[0]
	if of > 0 && ref.p.Of != of {
		// Take the expected count as the run's, so every file is checked against it.
		for i, f := range files {
			if f.p.Of == of {
				files[0], files[i], ref = f, files[0], f
				break
			}
		}
	}
	if of > 0 && ref.p.Of != of {
		for _, f := range files {
			e.Problems = append(e.Problems, fmt.Sprintf("%s: is from a run of %d shards; this run was launched with %d (different shard count)", f.path, f.p.Of, of))
		}
		return nil, missingAll(e, dirs, of, failures)
	}
	m := &Merged{
		Command: ref.p.Command, Scenario: ref.p.Scenario, ScenarioSHA256: ref.p.ScenarioSHA256,
		Settings: ref.p.Settings, Of: ref.p.Of, TotalTasks: ref.p.TotalTasks,
		Parts: make([]*Partial, ref.p.Of), Files: make([]string, ref.p.Of),
	}
	e.Of = m.Of
	m.collect(files, ref, e)
	m.noteMissing(dirs, failures, e)
	if len(e.Problems) > 0 {
		return nil, e
	}
	return m, nil
}

// scanDirs reads the shard results in dirs (a folder given twice counts
// once), noting in e the files it cannot read or whose name lies, and finds
// the failure notes of each shard.
func scanDirs(dirs []string, e *MergeError) ([]found, map[int][]string) {
	var files []found
	failures := map[int][]string{} // shard → failure note paths (any N)
	seen := map[string]bool{}
	for di, dir := range dirs {
		abs, err := filepath.Abs(dir)
		if err != nil {
			abs = filepath.Clean(dir)
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			e.Problems = append(e.Problems, fmt.Sprintf("%s: %v", dir, unwrapPath(err)))
			continue
		}
		for _, ent := range entries {
			name := ent.Name()
			path := filepath.Join(dir, name)
			if failureName.MatchString(name) {
				i, _ := strconv.Atoi(failureName.FindStringSubmatch(name)[1])
				failures[i] = append(failures[i], path)
				continue
			}
			m := resultName.FindStringSubmatch(name)
			if m == nil {
				continue
			}
			p, err := Read(path)
			if err != nil {
				e.Problems = append(e.Problems, err.Error())
				continue
			}
			if name != p.Spec().FileName() {
				e.Problems = append(e.Problems, fmt.Sprintf("%s: holds shard %d of %d; its name says %s of %s (renamed?)", path, p.Shard, p.Of, m[1], m[2]))
				continue
			}
			files = append(files, found{di, path, p})
		}
	}
	return files, failures
}

// collect places each file's shard in m, noting in e a file that is not of
// the same run as ref or repeats a shard.
func (m *Merged) collect(files []found, ref found, e *MergeError) {
	refSettings := compact(ref.p.Settings)
	for _, f := range files {
		p := f.p
		switch {
		case p.Of != m.Of:
			e.Problems = append(e.Problems, fmt.Sprintf("%s: is from a run of %d shards, %s from one of %d (different shard count)", f.path, p.Of, ref.path, m.Of))
			continue
		case p.Command != m.Command:
			e.Problems = append(e.Problems, fmt.Sprintf("%s: is a shard of %q, %s of %q (different command)", f.path, p.Command, ref.path, m.Command))
			continue
		case p.ScenarioSHA256 != m.ScenarioSHA256:
			e.Problems = append(e.Problems, fmt.Sprintf("%s: scenario %s has SHA-256 %s, %s's %s has %s (different scenario)", f.path, p.Scenario, short(p.ScenarioSHA256), ref.path, m.Scenario, short(m.ScenarioSHA256)))
			continue
		case compact(p.Settings) != refSettings:
			e.Problems = append(e.Problems, fmt.Sprintf("%s: settings %s differ from %s's %s (different run)", f.path, compact(p.Settings), ref.path, refSettings))
			continue
		case p.TotalTasks != m.TotalTasks:
			e.Problems = append(e.Problems, fmt.Sprintf("%s: has %d tasks in all, %s %d (different run)", f.path, p.TotalTasks, ref.path, m.TotalTasks))
			continue
		}
		if prev := m.Files[p.Shard]; prev != "" {
			e.Problems = append(e.Problems, fmt.Sprintf("duplicate shard %d of %d: %s and %s", p.Shard, m.Of, prev, f.path))
			continue
		}
		m.Parts[p.Shard], m.Files[p.Shard] = p, f.path
	}
}

// noteMissing notes in e each shard m lacks (see noteMissingShard).
func (m *Merged) noteMissing(dirs []string, failures map[int][]string, e *MergeError) {
	for i := range m.Of {
		if m.Parts[i] == nil {
			noteMissingShard(e, dirs, failures, i, m.Of, m.Command)
		}
	}
}

// missingAll adds every shard of a run of of shards to e as missing.
func missingAll(e *MergeError, dirs []string, of int, failures map[int][]string) *MergeError {
	e.Of = of
	for i := range of {
		noteMissingShard(e, dirs, failures, i, of, "")
	}
	return e
}

// noteMissingShard notes in e that shard i of of is missing, with its
// failure note when one of that shard's notes is from a run of command ("":
// any) with of shards.
func noteMissingShard(e *MergeError, dirs []string, failures map[int][]string, i, of int, command string) {
	e.Missing = append(e.Missing, i)
	if why, path, ok := failureOf(failures[i], command, of); ok {
		e.Failed[i] = why
		e.Problems = append(e.Problems, fmt.Sprintf("shard %d of %d failed: %s (%s)", i, of, why, path))
		return
	}
	e.Problems = append(e.Problems, fmt.Sprintf("shard %d of %d is missing: no %s in %s", i, of, Spec{Index: i, Count: of}.FileName(), strings.Join(dirs, ", ")))
}

// failureOf returns the recorded error of the first failure note among paths
// that belongs to a run of command ("": any) with of shards.
func failureOf(paths []string, command string, of int) (why, path string, ok bool) {
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var f Failure
		if json.Unmarshal(b, &f) != nil || f.Of != of || command != "" && f.Command != command {
			continue
		}
		return f.Error, path, true
	}
	return "", "", false
}

func compact(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "null"
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12] + "…"
	}
	return hash
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
