package shard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/physid/physid/internal/atomicfile"
)

// Partial is one shard's result file, DIR/shard-I-of-N.json. Command,
// Scenario, ScenarioSHA256, Settings, Of and TotalTasks identify the run and
// must agree across its shards; Tasks lists the tasks this shard ran (those
// it owns among 0..TotalTasks-1) and Payload holds their results in the
// command's own format.
type Partial struct {
	Command        string          `json:"command"`         // e.g. "fit", "latent compare"
	Scenario       string          `json:"scenario"`        // the scenario file as given
	ScenarioSHA256 string          `json:"scenario_sha256"` // hex SHA-256 of its bytes
	Settings       json.RawMessage `json:"settings,omitempty"`
	Shard          int             `json:"shard"`
	Of             int             `json:"of"`
	TotalTasks     int             `json:"total_tasks"`
	Tasks          []int           `json:"tasks"`
	Payload        json.RawMessage `json:"payload"`
}

// Spec is the shard p came from.
func (p *Partial) Spec() Spec { return Spec{Index: p.Shard, Count: p.Of} }

// Failure is the note a shard leaves when its command fails,
// DIR/shard-I-of-N.failed.json, so that the merge can say why it is missing.
type Failure struct {
	Command string `json:"command"`
	Shard   int    `json:"shard"`
	Of      int    `json:"of"`
	Error   string `json:"error"`
}

// HashFile returns the hex SHA-256 of the file at path, the scenario hash
// that ties shards to one input.
func HashFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Write writes p to dir/shard-I-of-N.json atomically and removes a failure
// note the same shard may have left before. It checks that p's tasks are
// exactly the shard's share of TotalTasks and returns the path written.
func Write(dir string, p *Partial) (string, error) {
	s := p.Spec()
	if p.Of < 1 || p.Shard < 0 || p.Shard >= p.Of {
		return "", fmt.Errorf("%w: shard %d of %d", ErrSpec, p.Shard, p.Of)
	}
	if want := s.Tasks(p.TotalTasks); !equalInts(p.Tasks, want) {
		panic(fmt.Sprintf("shard: partial %s lists tasks %v, want %v of %d", s, p.Tasks, want, p.TotalTasks))
	}
	q := *p
	if q.Tasks == nil {
		q.Tasks = []int{}
	}
	if len(q.Payload) == 0 {
		q.Payload = json.RawMessage("null")
	}
	b, err := json.MarshalIndent(&q, "", "  ")
	if err != nil {
		return "", fmt.Errorf("shard: %s: %w", s.FileName(), err)
	}
	path := filepath.Join(dir, s.FileName())
	if err := atomicfile.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return "", err
	}
	if err := os.Remove(filepath.Join(dir, s.FailureName())); err != nil && !errors.Is(err, os.ErrNotExist) {
		return path, err
	}
	return path, nil
}

// WriteFailure records that shard s of command failed with cause: it writes
// dir/shard-I-of-N.failed.json atomically and removes the shard's earlier
// result, since the latest run of a shard is the one that counts.
func WriteFailure(dir, command string, s Spec, cause error) error {
	b, err := json.MarshalIndent(&Failure{Command: command, Shard: s.Index, Of: s.count(), Error: cause.Error()}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, s.FailureName()), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, s.FileName())); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// Read reads and checks one partial result file.
func Read(path string) (*Partial, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Partial
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not a shard result: %v", path, err)
	}
	switch {
	case p.Command == "":
		return nil, fmt.Errorf("%s: not a shard result: no command", path)
	case p.Of < 1 || p.Of > MaxCount || p.Shard < 0 || p.Shard >= p.Of:
		return nil, fmt.Errorf("%s: shard %d of %d is not a shard (0 ≤ shard < of)", path, p.Shard, p.Of)
	case p.TotalTasks < 0:
		return nil, fmt.Errorf("%s: total_tasks %d is negative", path, p.TotalTasks)
	}
	if want := p.Spec().Tasks(p.TotalTasks); !equalInts(p.Tasks, want) {
		return nil, fmt.Errorf("%s: lists tasks %v, but shard %d of %d owns %v of %d", path, p.Tasks, p.Shard, p.Of, want, p.TotalTasks)
	}
	return &p, nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
