package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLocateForms(t *testing.T) {
	src := `# comment line
name = "x" # trailing comment
title = """multi
line = 5
"""
[system]
kind = 'linear'
  n = 2

[[parameters]]
name = "a11"
"quoted key" = 1

[[parameters]]   # second
name = "a12"
[parameters.extra]
deep = 1
[[parameters]]
name.inner = 3

[data]
t = [0.5,
  1.0,   # c
  # a comment inside
  2.0]
z = [
  [1, 2],
  [3, [4, 5]],
]
inline = { a = 1, b = { c = "}" }, d = [ {e = 1}, {e = 2} ] }
s = "a\"b" ; junk
solver.rtol = 1
"dotted"  .  'key' = 2
lit = '''x
y'''
after = 1
`
	l := locate(src)
	for path, want := range map[string]int{
		"name":                     2,
		"title":                    3,
		"system":                   6,
		"system.kind":              7,
		"system.n":                 8,
		"parameters[0]":            10,
		"parameters[0].name":       11,
		"parameters[0].quoted key": 12,
		"parameters[1]":            14,
		"parameters[1].name":       15,
		"parameters[1].extra":      16,
		"parameters[1].extra.deep": 17,
		"parameters[2].name.inner": 19,
		"parameters[2].name":       19,
		"data.t":                   22,
		"data.t[0]":                22,
		"data.t[1]":                23,
		"data.t[2]":                25,
		"data.z":                   26,
		"data.z[0]":                27,
		"data.z[1][1][0]":          28,
		"data.inline.b.c":          30,
		"data.inline.d[1].e":       30,
		"data.s":                   31,
		"data.solver.rtol":         32,
		"data.dotted.key":          33,
		"data.lit":                 34,
		"data.after":               36,
	} {
		assert.Equal(t, want, l[path], path)
	}
	assert.NotContains(t, l, "line", "key-like text inside a multi-line string is not a key")
	// Fallback to the nearest enclosing path.
	assert.Equal(t, 28, l.line("data.z[1][1][7]"))
	assert.Equal(t, 27, l.line("data.z[0][1]"))
	assert.Equal(t, 6, l.line("system.missing"))
	assert.Equal(t, 0, l.line("initial_state.z0"))
}

func TestLocateCRLFAndDeepNesting(t *testing.T) {
	l := locate("[a]\r\nb = 1\r\n\r\nc = [[[[[[[[1]]]]]]]]\r\n")
	assert.Equal(t, 2, l["a.b"])
	assert.Equal(t, 4, l["a.c[0][0][0]"])
	deep := "x = " + string(make([]byte, 0))
	for i := 0; i < 10000; i++ {
		deep += "["
	}
	assert.NotPanics(t, func() { locate(deep) })
}

func TestParentPath(t *testing.T) {
	assert.Equal(t, "a.b[2]", parentPath("a.b[2][3]"))
	assert.Equal(t, "a.b", parentPath("a.b[2]"))
	assert.Equal(t, "a", parentPath("a.b"))
	assert.Equal(t, "", parentPath("a"))
}

func FuzzLocate(f *testing.F) {
	f.Add("[a]\nb = [1,\n2]\n")
	f.Add("x = { y = [ {z = '''\n'''} ] }")
	f.Fuzz(func(t *testing.T, src string) {
		l := locate(src)
		for p, n := range l {
			if n < 1 {
				t.Fatalf("%s at line %d", p, n)
			}
		}
	})
}

func TestLocateBeyondMaxDepth(t *testing.T) {
	src := "x = "
	for i := 0; i < maxDepth+5; i++ {
		src += "["
	}
	src += "123, '] # not a bracket'"
	for i := 0; i < maxDepth+5; i++ {
		src += "] # c ]\n"
	}
	src += "y = 1\n"
	l := locate(src)
	assert.Equal(t, maxDepth+6, l["y"], "the line count survives skipping deep values")
}
