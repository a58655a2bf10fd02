package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/physid/physid/internal/atomicfile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	require.NoError(t, atomicfile.WriteFile(path, []byte("first"), 0o644))
	require.NoError(t, atomicfile.WriteFile(path, []byte("second"), 0o600))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "second", string(got))
	assert.Equal(t, []string{"out.json"}, entries(t, dir), "no temporary file left behind")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
}

func TestWriteFailureKeepsOldContent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	require.NoError(t, atomicfile.WriteFile(path, []byte("old"), 0o644))
	boom := errors.New("boom")
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, _ = io.WriteString(w, "partial")
		return boom
	})
	assert.ErrorIs(t, err, boom)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(got))
	assert.Equal(t, []string{"out.csv"}, entries(t, dir))
}

func TestFileCloseWithoutCommitDiscards(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.png")
	f, err := atomicfile.Create(path, 0o644)
	require.NoError(t, err)
	_, err = f.Write([]byte("abc"))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.NoError(t, f.Close(), "Close is idempotent")
	assert.Empty(t, entries(t, dir))
	_, err = f.Write([]byte("more"))
	assert.Error(t, err, "write after Close")
	assert.Error(t, f.Commit(), "commit after Close")
}

func TestFileCommitThenClose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "y.txt")
	f, err := atomicfile.Create(path, 0o644)
	require.NoError(t, err)
	_, err = io.WriteString(f, "hello")
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	require.NoError(t, f.Close())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(got))
}

func TestMissingDirectoryIsAnError(t *testing.T) {
	err := atomicfile.WriteFile(filepath.Join(t.TempDir(), "no", "such", "f"), nil, 0o644)
	assert.Error(t, err)
}

func TestRenameOntoDirectoryFailsCleanly(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(target, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(target, "keep"), nil, 0o644))
	err := atomicfile.WriteFile(target, []byte("x"), 0o644)
	assert.Error(t, err)
	assert.Equal(t, []string{"sub"}, entries(t, dir), "temporary file removed after a failed rename")
}
