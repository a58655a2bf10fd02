package archtest

import (
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Allowed maps each package of the module (by path relative to the module
// root; a trailing "/..." matches the folder and everything below it) to the
// module packages it may import. The special name "helpers" stands for every
// internal helper package (see IsHelper). A package's tests may also import
// the package itself and the packages in TestOnly.
var Allowed = map[string][]string{
	"dynamics":                         {"helpers"},
	"dynamics/expr":                    {"dynamics", "helpers"},
	"integrate":                        {"dynamics", "helpers"},
	"aca":                              {"dynamics", "integrate", "helpers"},
	"nbody":                            {"dynamics", "helpers"},
	"identify":                         {"dynamics", "integrate", "aca", "helpers"},
	"learned":                          {"dynamics", "integrate", "aca", "nbody", "helpers"},
	"learned/latent":                   {"dynamics", "integrate", "aca", "learned", "helpers"},
	"learned/vision":                   {"dynamics", "integrate", "aca", "learned", "helpers"},
	"learned/vision/internal/mksubset": {"learned/vision", "helpers"},
	"scenarios": {"dynamics", "dynamics/expr", "integrate", "aca", "identify", "nbody",
		"learned", "helpers"},
	"internal/problems": {"dynamics", "integrate", "aca", "nbody", "helpers"},
	"internal/experiments/...": {"dynamics", "dynamics/expr", "integrate", "aca", "identify",
		"nbody", "learned/...", "scenarios", "internal/experiments/...", "helpers"},
	"cmd/identify": {"dynamics/...", "integrate", "aca", "identify", "nbody", "learned/...",
		"scenarios", "internal/experiments/...", "helpers"},
	"internal/archtest": {},
}

// TestOnly are packages any test may import besides those its package may:
// the shared test problems, and expression models as the quickest way for a
// test to write down a system.
var TestOnly = []string{"internal/problems", "dynamics/expr"}

// notHelpers are the internal packages that are layers of their own rather
// than helpers anyone may import.
var notHelpers = []string{"internal/problems", "internal/experiments/...", "internal/archtest"}

// IsHelper reports whether rel (a package path relative to the module root)
// is an internal helper: a package under internal/ that is not one of the
// layers in notHelpers.
func IsHelper(rel string) bool {
	if !strings.HasPrefix(rel, "internal/") {
		return false
	}
	for _, p := range notHelpers {
		if match(p, rel) {
			return false
		}
	}
	return true
}

// match reports whether rel matches pattern (exact, or a "/..." prefix).
func match(pattern, rel string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	return pattern == rel
}

// rule returns the allowed imports of rel and whether any rule covers it.
func rule(allowed map[string][]string, rel string) ([]string, bool) {
	if r, ok := allowed[rel]; ok {
		return r, true
	}
	// The longest matching pattern wins.
	best, found := "", false
	for p := range allowed {
		if match(p, rel) && len(p) > len(best) {
			best, found = p, true
		}
	}
	if found {
		return allowed[best], true
	}
	if IsHelper(rel) {
		return []string{"helpers"}, true
	}
	return nil, false
}

// permits reports whether an import of dep (relative path) is in the list.
func permits(list []string, dep string) bool {
	for _, p := range list {
		if p == "helpers" && IsHelper(dep) || match(p, dep) {
			return true
		}
	}
	return false
}

// Edge is one import of a module package by another, with where it comes from.
type Edge struct {
	From, To string // relative package paths
	Test     bool   // the import is in a _test.go file
}

// Check returns one message per edge that allowed does not permit, and per
// package that no rule covers, sorted.
func Check(allowed map[string][]string, edges []Edge) []string {
	var bad []string
	for _, e := range edges {
		list, ok := rule(allowed, e.From)
		if !ok {
			bad = append(bad, fmt.Sprintf("%s: no rule in archtest.Allowed", e.From))
			continue
		}
		if e.Test && (e.To == e.From || permits(TestOnly, e.To)) {
			continue
		}
		if strings.HasPrefix(e.To, "cmd/") || !permits(list, e.To) {
			kind := "imports"
			if e.Test {
				kind = "imports in a test"
			}
			bad = append(bad, fmt.Sprintf("%s %s %s, which archtest.Allowed does not permit", e.From, kind, e.To))
		}
	}
	sort.Strings(bad)
	return slicesCompact(bad)
}

func slicesCompact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// ModuleEdges reads the imports of every package under root (the folder with
// go.mod) and returns those that point into the module, with paths relative to
// the module root. Folders named testdata and hidden folders are skipped.
func ModuleEdges(root string) ([]Edge, error) {
	modPath, err := modulePath(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	var edges []Edge
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		pkg, err := build.Default.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return fmt.Errorf("archtest: %s: %w", path, err)
		}
		from, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		from = filepath.ToSlash(from)
		add := func(imports []string, test bool) {
			for _, imp := range imports {
				if to, ok := strings.CutPrefix(imp, modPath+"/"); ok {
					edges = append(edges, Edge{From: from, To: to, Test: test})
				}
			}
		}
		add(pkg.Imports, false)
		add(pkg.TestImports, true)
		add(pkg.XTestImports, true)
		return nil
	})
	return edges, err
}

func modulePath(gomod string) (string, error) {
	b, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("archtest: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(p), `"`), nil
		}
	}
	return "", fmt.Errorf("archtest: %s: no module line", gomod)
}
