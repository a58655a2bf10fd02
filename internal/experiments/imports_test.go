package experiments_test

import (
	"errors"
	"go/build"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/physid/physid"

// imports returns every package of the module (by import path) with the
// module packages it imports, in its code (code) and in its tests (tests).
func imports(t *testing.T) (code, tests map[string][]string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	code, tests = map[string][]string{}, map[string][]string{}
	err = filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") && dir != root {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(dir, 0)
		var none *build.NoGoError
		if errors.As(err, &none) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, dir)
		path := module
		if rel != "." {
			path += "/" + filepath.ToSlash(rel)
		}
		own := func(list []string) []string {
			var out []string
			for _, imp := range list {
				if imp == module || strings.HasPrefix(imp, module+"/") {
					out = append(out, imp)
				}
			}
			return out
		}
		code[path] = own(p.Imports)
		tests[path] = own(append(slices.Clone(p.TestImports), p.XTestImports...))
		return nil
	})
	require.NoError(t, err)
	require.Contains(t, code, module+"/learned", "the walk found the module's packages")
	return code, tests
}

func under(path, prefix string) bool {
	return path == module+"/"+prefix || strings.HasPrefix(path, module+"/"+prefix+"/")
}

// TestLayering: the experiments sit above the libraries. Only cmd/identify
// and the experiments themselves import internal/experiments/… in their code
// (a library's external test may run an experiment's setup); learned
// never depends on identify, not even in its tests; the shared test problems
// of internal/problems are below identify.
func TestLayering(t *testing.T) {
	code, tests := imports(t)
	for pkg, imps := range code {
		for _, imp := range imps {
			if under(imp, "internal/experiments") {
				assert.True(t, under(pkg, "cmd") || under(pkg, "internal/experiments"),
					"%s imports the experiment %s", pkg, imp)
			}
		}
	}
	for pkg := range code {
		all := append(slices.Clone(code[pkg]), tests[pkg]...)
		switch {
		case under(pkg, "learned"):
			assert.NotContains(t, all, module+"/identify", "%s imports identify", pkg)
			for _, imp := range all {
				assert.False(t, under(imp, "internal/experiments"), "%s imports %s", pkg, imp)
			}
		case under(pkg, "internal/problems"):
			assert.NotContains(t, all, module+"/identify", "%s imports identify", pkg)
		}
	}
}
