package scenarios_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/physid/physid/scenarios"
)

// The tests of this file keep README.md's schema reference complete: every key
// the decoder accepts must have a row in it. Two independent views of "accepts":
//
//   - statically, the keys the package's code can declare: every argument of a
//     table's allow and check calls, resolved through literals, package
//     variables, local assignments, struct fields of composite literals (the
//     kinds table) and package functions, plus every literal key passed to a
//     reader method (str, num, integer, …). An argument the resolver cannot
//     follow fails the test, so a new way of declaring keys cannot slip past;
//   - dynamically, what the decoder itself says: a key that is not allowed is
//     reported with the list of allowed ones, so an unknown key is planted in
//     each table of the shipped scenarios (one per kind of [system]) and the
//     error's list must appear in that table's README section.

// readmeKeys returns, per README section ("" for the top level, "fit",
// "data.simulate", "parameters", …), the code spans in the first cell of its
// table rows, and all of them together under "*".
func readmeKeys(t *testing.T) map[string]map[string]bool {
	t.Helper()
	src, err := os.ReadFile("README.md")
	require.NoError(t, err)
	tableName := regexp.MustCompile("^### +`\\[\\[?([A-Za-z_.]+)\\]\\]?`")
	span := regexp.MustCompile("`([^`]+)`")
	keys := map[string]map[string]bool{"*": {}}
	section, inSection := "", false
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasPrefix(line, "### top level"):
			section, inSection = "", true
			continue
		case strings.HasPrefix(line, "### "):
			m := tableName.FindStringSubmatch(line)
			inSection = m != nil
			if inSection {
				section = m[1]
			}
			continue
		case strings.HasPrefix(line, "## "):
			inSection = false
			continue
		}
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.SplitN(line, "|", 3)
		if len(cells) < 3 {
			continue
		}
		for _, m := range span.FindAllStringSubmatch(cells[1], -1) {
			keys["*"][m[1]] = true
			if inSection {
				if keys[section] == nil {
					keys[section] = map[string]bool{}
				}
				keys[section][m[1]] = true
			}
		}
	}
	return keys
}

// keyResolver follows the expressions that name keys in the package's code.
type keyResolver struct {
	vars   map[string]ast.Expr         // package-level variables and their values
	funcs  map[string]*ast.FuncDecl    // package-level functions
	fields map[string][]ast.Expr       // composite-literal field name → values
	seen   map[string]bool             // guards recursion
	found  map[string][]token.Position // key → where it is declared
	fset   *token.FileSet
}

func (r *keyResolver) resolve(e ast.Expr, fn *ast.FuncDecl) error {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return fmt.Errorf("%v: a key that is not a string", r.fset.Position(e.Pos()))
		}
		k, err := strconv.Unquote(e.Value)
		if err != nil {
			return err
		}
		r.found[k] = append(r.found[k], r.fset.Position(e.Pos()))
		return nil
	case *ast.ParenExpr:
		return r.resolve(e.X, fn)
	case *ast.CompositeLit:
		for _, el := range e.Elts {
			if err := r.resolve(el, fn); err != nil {
				return err
			}
		}
		return nil
	case *ast.Ident:
		id := fmt.Sprintf("%p/%s", fn, e.Name)
		if r.seen[id] {
			return nil
		}
		r.seen[id] = true
		if fn != nil {
			if rhs := assignments(fn, e.Name); len(rhs) > 0 {
				for _, v := range rhs {
					if err := r.resolve(v, fn); err != nil {
						return err
					}
				}
				return nil
			}
		}
		if v, ok := r.vars[e.Name]; ok {
			return r.resolve(v, nil)
		}
		return fmt.Errorf("%v: cannot resolve the keys in %s; extend keys_test.go", r.fset.Position(e.Pos()), e.Name)
	case *ast.SelectorExpr:
		vals := r.fields[e.Sel.Name]
		if len(vals) == 0 {
			return fmt.Errorf("%v: no composite literal sets field %s; extend keys_test.go", r.fset.Position(e.Pos()), e.Sel.Name)
		}
		for _, v := range vals {
			if err := r.resolve(v, nil); err != nil {
				return err
			}
		}
		return nil
	case *ast.CallExpr:
		name, ok := e.Fun.(*ast.Ident)
		if !ok {
			break
		}
		if name.Name == "append" {
			for _, a := range e.Args {
				if err := r.resolve(a, fn); err != nil {
					return err
				}
			}
			return nil
		}
		f, ok := r.funcs[name.Name]
		if !ok {
			break
		}
		var err error
		ast.Inspect(f.Body, func(n ast.Node) bool {
			if ret, ok := n.(*ast.ReturnStmt); ok && err == nil {
				for _, v := range ret.Results {
					if err = r.resolve(v, f); err != nil {
						return false
					}
				}
			}
			return err == nil
		})
		return err
	}
	return fmt.Errorf("%v: cannot resolve the keys in %T; extend keys_test.go", r.fset.Position(e.Pos()), e)
}

// assignments returns the right-hand sides assigned to the local name in fn.
func assignments(fn *ast.FuncDecl, name string) []ast.Expr {
	var rhs []ast.Expr
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, l := range n.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name == name {
					rhs = append(rhs, n.Rhs[i])
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if id.Name == name && i < len(n.Values) {
					rhs = append(rhs, n.Values[i])
				}
			}
		}
		return true
	})
	return rhs
}

// codeKeys returns every key the package's code may accept, with where.
func codeKeys(t *testing.T) map[string][]token.Position {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		parsed = append(parsed, f)
	}
	r := &keyResolver{vars: map[string]ast.Expr{}, funcs: map[string]*ast.FuncDecl{}, fields: map[string][]ast.Expr{},
		seen: map[string]bool{}, found: map[string][]token.Position{}, fset: fset}
	readers := map[string]bool{} // methods of *table whose first parameter is the key
	for _, f := range parsed {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					r.funcs[d.Name.Name] = d
					continue
				}
				star, ok := d.Recv.List[0].Type.(*ast.StarExpr)
				if !ok {
					continue
				}
				if recv, ok := star.X.(*ast.Ident); ok && recv.Name == "table" && d.Type.Params.NumFields() > 0 {
					p := d.Type.Params.List[0]
					if typ, ok := p.Type.(*ast.Ident); ok && typ.Name == "string" && len(p.Names) > 0 && p.Names[0].Name == "key" {
						readers[d.Name.Name] = true
					}
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					if vs, ok := spec.(*ast.ValueSpec); ok {
						for i, id := range vs.Names {
							if i < len(vs.Values) {
								r.vars[id.Name] = vs.Values[i]
							}
						}
					}
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if kv, ok := n.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok {
					r.fields[id.Name] = append(r.fields[id.Name], kv.Value)
				}
			}
			return true
		})
	}
	require.NotEmpty(t, readers, "found no reader methods of *table")
	calls := 0
	for _, f := range parsed {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				switch {
				case sel.Sel.Name == "allow" || sel.Sel.Name == "check":
					calls++
					for _, a := range call.Args {
						require.NoError(t, r.resolve(a, fn))
					}
				case readers[sel.Sel.Name] && len(call.Args) > 0:
					// Only literal keys: a reader given a variable reads
					// names the file declares (constants, equations) or
					// keys already declared by allow.
					if lit, ok := call.Args[0].(*ast.BasicLit); ok {
						require.NoError(t, r.resolve(lit, fn))
					}
				}
				return true
			})
		}
	}
	require.Greater(t, calls, 5, "found too few allow/check calls: has the decoder changed?")
	return r.found
}

// TestEveryKeyDocumented: every key in the code has a README table row.
func TestEveryKeyDocumented(t *testing.T) {
	doc := readmeKeys(t)["*"]
	keys := codeKeys(t)
	for _, k := range []string{"optimizer", "grad_tol", "velocity_scale", "min_separation", "positions", "simulate", "noise", "time_weight"} {
		assert.Contains(t, keys, k, "the resolver should find %s", k)
	}
	for k, at := range keys {
		assert.True(t, doc[k], "key %q (%v) has no row in README.md", k, at[0])
	}
}

// TestDecoderAllowedKeysDocumented plants an unknown key in each table and
// checks the decoder's list of allowed keys against that table's README section.
func TestDecoderAllowedKeysDocumented(t *testing.T) {
	doc := readmeKeys(t)
	static := codeKeys(t)
	linear := "[system]\nkind = \"linear\"\nn = 1\n[[parameters]]\nname = \"a11\"\nvalue = -1\n" +
		"[initial_state]\nz0 = [1]\n[data]\nt = [1]\nz = [[0.37]]\n"
	for _, tc := range []struct {
		file, table string // table "" is the top level
	}{
		{"three_body.toml", ""},
		{"three_body.toml", "system"},
		{"van_der_pol.toml", "system"},
		{"toy_exponential.toml", "system"},
		{"lotka_volterra.toml", "system"},
		{"linear", "system"},
		{"three_body.toml", "parameters"},
		{"lotka_volterra.toml", "parameters"},
		{"three_body.toml", "initial_state"},
		{"van_der_pol.toml", "initial_state"},
		{"van_der_pol.toml", "data"},
		{"three_body.toml", "data.simulate"},
		{"van_der_pol.toml", "loss"},
		{"van_der_pol.toml", "solver"},
		{"van_der_pol.toml", "gradient"},
		{"three_body.toml", "fit"},
		{"three_body.toml", "extrapolate"},
	} {
		t.Run(tc.file+"/"+tc.table, func(t *testing.T) {
			src := linear
			if tc.file != "linear" {
				b, err := os.ReadFile(tc.file)
				require.NoError(t, err)
				src = string(b)
			}
			planted, field := plant(t, src, tc.table)
			_, err := scenarios.Parse(tc.file, []byte(planted))
			var se *scenarios.Error
			require.True(t, errors.As(err, &se), "want a *scenarios.Error, got %v", err)
			require.Equal(t, "unknown key", se.Problem, se.Error())
			require.Equal(t, field, se.Field, se.Error())
			require.NotEmpty(t, se.Allowed)
			section := doc[tc.table]
			require.NotNil(t, section, "README.md has no section for [%s]", tc.table)
			for _, k := range se.Allowed {
				assert.True(t, section[k], "[%s] key %q (planted in %s) has no row in README.md's section", tc.table, k, tc.file)
				assert.Contains(t, static, k, "the static resolver missed %q", k)
			}
		})
	}
}

// plant adds the line "zz_planted = 1" to the table (a header "[table]" or
// "[[table]]"; "" is the top level, before any header) and returns the source
// and the field path the decoder should report.
func plant(t *testing.T, src, table string) (string, string) {
	t.Helper()
	const key = "zz_planted"
	if table == "" {
		return key + " = 1\n" + src, key
	}
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		for _, h := range []string{"[" + table + "]", "[[" + table + "]]"} {
			if l == h || strings.HasPrefix(l, h+" ") || strings.HasPrefix(l, h+"#") {
				out := append(append(append([]string(nil), lines[:i+1]...), key+" = 1"), lines[i+1:]...)
				field := table + "." + key
				if strings.HasPrefix(h, "[[") {
					field = table + "[0]." + key
				}
				return strings.Join(out, "\n"), field
			}
		}
	}
	t.Fatalf("no [%s] header", table)
	return "", ""
}

// TestReadmeSectionsParsed guards readmeKeys itself.
func TestReadmeSectionsParsed(t *testing.T) {
	doc := readmeKeys(t)
	var sections []string
	for s := range doc {
		sections = append(sections, s)
	}
	sort.Strings(sections)
	for _, s := range []string{"", "system", "parameters", "initial_state", "data", "data.simulate", "loss", "solver", "gradient", "fit", "extrapolate"} {
		assert.Contains(t, sections, s)
	}
	assert.True(t, doc["fit"]["covariance"], "the covariance key of [fit] (added in parallel) is documented")
	assert.True(t, doc["fit"]["lr_decay"])
	assert.False(t, doc["fit"]["bodies"])
}
