package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/streamfault/streamfault/harness/conformance"
	"github.com/streamfault/streamfault/internal/nginx"
)

// conformanceCmd runs the conformance matrix — real clients against the reference server and
// nginx-rtmp — printing a line per cell on stderr as it goes and the matrix (Markdown) on
// stdout. Exit 0 when the reference server's column is as expected, 1 when not, 2 on a usage
// error, 130 when interrupted.
func conformanceCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	noNginx := fs.Bool("no-nginx", false, "leave nginx-rtmp out (the reference server's column only)")
	var ncfg nginx.Config
	fs.StringVar(&ncfg.Binary, "nginx", nginx.DefaultBinary, "the nginx `binary`")
	fs.StringVar(&ncfg.Module, "nginx-module", nginx.DefaultModule, "the nginx RTMP module (`.so`)")
	keep := fs.String("keep", "", "keep what the clients wrote in `DIR` (default: a temporary directory, removed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "conformance: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "streamfault-conformance-")
		if err != nil {
			fmt.Fprintln(stderr, "conformance:", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(stderr, "conformance:", err)
		return 1
	}
	ref, err := conformance.StartReference()
	if err != nil {
		fmt.Fprintln(stderr, "conformance: reference server:", err)
		return 1
	}
	defer ref.Close()
	subjects := []conformance.Subject{ref}
	if !*noNginx {
		ng, err := conformance.StartNginx(ctx, ncfg)
		if err != nil {
			fmt.Fprintf(stderr, "conformance: nginx-rtmp left out: %v\n", err)
		} else {
			defer ng.Close()
			subjects = append(subjects, ng)
		}
	}
	var names []string
	for _, s := range subjects {
		names = append(names, s.Name())
	}
	total := len(conformance.Rows) * len(subjects)
	n := 0
	cells, err := conformance.Run(ctx, subjects, conformance.Rows, dir, func(c conformance.Cell) {
		n++
		fmt.Fprintf(stderr, "[%d/%d] %-10s %-8s %s: %s %s\n", n, total, c.Subject, c.Row.Program, c.Row.Operation, c.Status, c.Detail)
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "conformance: interrupted after %d of %d cells: no matrix\n", n, total)
			return exitInterrupted
		}
		fmt.Fprintln(stderr, "conformance:", err)
		return 1
	}
	fmt.Fprint(stdout, conformance.Markdown(cells, names))
	if p := conformance.Problems(cells, false); len(p) > 0 {
		fmt.Fprintln(stderr, "conformance: the reference server's column is not as expected:")
		for _, l := range p {
			fmt.Fprintln(stderr, "  "+l)
		}
		return 1
	}
	return 0
}
