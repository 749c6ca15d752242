// Package archcheck holds the module's shape rules as tests: internal/ holds leaves only, and
// no file or function grows past what one reading takes in.
package archcheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/streamfault/streamfault/"

// Limits of one file and one function (non-test code).
const (
	maxFileLines = 500
	maxFuncLines = 80
)

// root is the module's root, two folders up.
func root(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s", dir)
	}
	return dir
}

// sources calls fn for every non-test Go file of the module, parsed.
func sources(t *testing.T, fn func(rel string, fset *token.FileSet, f *ast.File)) {
	base := root(t)
	err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(base, path)
		fn(filepath.ToSlash(rel), fset, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestInternalHoldsLeavesOnly: nothing in internal/ imports a package above it.
func TestInternalHoldsLeavesOnly(t *testing.T) {
	sources(t, func(rel string, _ *token.FileSet, f *ast.File) {
		if !strings.HasPrefix(rel, "internal/") {
			return
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, module) && !strings.HasPrefix(p, module+"internal/") {
				t.Errorf("%s imports %s: internal/ holds leaves only", rel, p)
			}
		}
	})
}

// TestFilesAndFunctionsStayShort: no non-test file over 500 lines, no function over 80.
func TestFilesAndFunctionsStayShort(t *testing.T) {
	sources(t, func(rel string, fset *token.FileSet, f *ast.File) {
		if n := fset.Position(f.End()).Line; n > maxFileLines {
			t.Errorf("%s: %d lines (at most %d)", rel, n, maxFileLines)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			var body *ast.BlockStmt
			name := "a function literal"
			switch fn := n.(type) {
			case *ast.FuncDecl:
				body, name = fn.Body, fn.Name.Name
			case *ast.FuncLit:
				body = fn.Body
			}
			if body != nil {
				if l := fset.Position(body.Rbrace).Line - fset.Position(n.Pos()).Line + 1; l > maxFuncLines {
					t.Errorf("%s:%d: %s is %d lines (at most %d)", rel, fset.Position(n.Pos()).Line, name, l, maxFuncLines)
				}
			}
			return true
		})
	})
}
