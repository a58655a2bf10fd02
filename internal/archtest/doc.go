// Package archtest holds the module's import graph as data and the test that
// keeps the code to it.
//
// Imports run one way, downward (../../../shared/DESIGN.md, "Packages and who
// may import whom"):
//
//	cmd/identify ──> internal/experiments/* ──> learned/*, identify, nbody, scenarios
//	     │                                          │          │
//	     └──> scenarios ──> identify ──> aca ──> integrate ──> dynamics (+ dynamics/expr)
//	              └──> nbody, learned (models a file may name)
//
// Allowed in archtest.go is the truth: TestImportGraph reads every package's
// imports (its own files and its tests') with go/build and fails on an edge that
// is not listed there. Helpers under internal/ (file writing, CSV, the shared
// Adam step, ...) may be imported by anyone and import no other physid package
// but helpers. Nothing imports cmd/..., and no library package imports the
// experiments layer.
package archtest
