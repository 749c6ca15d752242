// Command junitxsd fetches the published Apache Ant JUnit XML Schema (Windy Road, Apache
// License 2.0) as it ships inside the npm package junit-xml 1.2.0, checks both the package's
// and the schema's SHA-256, and writes the schema to the -o file. `make deps` runs it so the
// JUnit validation test can use xmllint; the schema is not part of this repository.
package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

const (
	tarballURL    = "https://registry.npmjs.org/junit-xml/-/junit-xml-1.2.0.tgz"
	tarballSHA256 = "eaf7cf57419f03bbb2b31f21ce71094f76cc9929b741f3e5a25b336ef58003e1"
	schemaSHA256  = "814503f3784edd7d698dd57db321590b549e27241246831253ec18c0e3064516"
	member        = "package/src/index.test.ts"
)

// schemaLiteral is the single-quoted TypeScript string that holds the schema.
var schemaLiteral = regexp.MustCompile(`const antJunitSchema = '((?:[^'\\]|\\.)*)'`)

func main() {
	out := flag.String("o", ".cache/junit-ant.xsd", "where to write the schema")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "junitxsd:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	if b, err := os.ReadFile(out); err == nil && sum(b) == schemaSHA256 {
		fmt.Println("junitxsd: present:", out)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tarballURL, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", tarballURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch %s: %s", tarballURL, resp.Status)
	}
	tgz, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil {
		return fmt.Errorf("fetch %s: %w", tarballURL, err)
	}
	if got := sum(tgz); got != tarballSHA256 {
		return fmt.Errorf("%s: sha256 %s, want %s", tarballURL, got, tarballSHA256)
	}
	src, err := extract(tgz, member)
	if err != nil {
		return err
	}
	m := schemaLiteral.FindSubmatch(src)
	if m == nil {
		return fmt.Errorf("%s: no antJunitSchema literal", member)
	}
	schema := []byte(strings.ReplaceAll(string(m[1]), `\'`, `'`))
	if got := sum(schema); got != schemaSHA256 {
		return fmt.Errorf("extracted schema: sha256 %s, want %s", got, schemaSHA256)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, schema, 0o644); err != nil {
		return err
	}
	fmt.Println("junitxsd: wrote", out)
	return nil
}

// extract returns one file of a .tgz.
func extract(tgz []byte, name string) ([]byte, error) {
	zr, err := gzip.NewReader(strings.NewReader(string(tgz)))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s not in the package", name)
		}
		if err != nil {
			return nil, fmt.Errorf("untar: %w", err)
		}
		if h.Name == name {
			return io.ReadAll(io.LimitReader(tr, 1<<20))
		}
	}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
