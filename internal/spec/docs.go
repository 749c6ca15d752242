package spec

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
)

// DocComments maps "pkgPath.Type" and "pkgPath.Type.Field" to the doc comments of the types
// declared in the Go files of sources (test files skipped), as the JSON Schema generator takes
// them. Each stage embeds the files of its option types and hands them here.
func DocComments(sources fs.FS, pkgPath string) (map[string]string, error) {
	out := map[string]string{}
	files, err := fs.Glob(sources, "*.go")
	if err != nil {
		return nil, fmt.Errorf("doc comments of %s: %w", pkgPath, err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := fs.ReadFile(sources, name)
		if err != nil {
			return nil, fmt.Errorf("doc comments of %s: %w", pkgPath, err)
		}
		file, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("doc comments of %s: %w", pkgPath, err)
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil {
					doc = gd.Doc
				}
				if text := strings.TrimSpace(doc.Text()); text != "" {
					out[pkgPath+"."+ts.Name.Name] = text
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, field := range st.Fields.List {
					text := strings.TrimSpace(field.Doc.Text())
					for _, n := range field.Names {
						if text != "" {
							out[pkgPath+"."+ts.Name.Name+"."+n.Name] = text
						}
					}
				}
			}
		}
	}
	return out, nil
}
