package nginx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/streamfault/streamfault/internal/media"
)

// Title is a stream nginx's vod application plays under Name: a file of real media copied
// in (File), or else the synthetic stream Spec written as FLV.
type Title struct {
	// Name is the stream name players ask for.
	Name string
	// File is an FLV file to serve as it is ("" for the synthetic stream).
	File string
	// Spec is the synthetic stream to write when File is empty.
	Spec media.Spec
}

// StartCatalogue starts nginx-rtmp (see Start) in a temporary directory of its own whose vod
// application plays titles; cfg.Dir and cfg.VODDir are set here. Stop removes the directory;
// on error nothing is left behind.
func StartCatalogue(ctx context.Context, cfg Config, titles []Title) (_ *Nginx, err error) {
	if err := Available(cfg); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "streamfault-nginx-")
	if err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	vod := filepath.Join(dir, "vod")
	if err := os.MkdirAll(vod, 0o755); err != nil {
		return nil, fmt.Errorf("nginx: %w", err)
	}
	for _, t := range titles {
		if err := t.write(filepath.Join(vod, t.Name+".flv")); err != nil {
			return nil, fmt.Errorf("nginx: stream %s: %w", t.Name, err)
		}
	}
	cfg.Dir, cfg.VODDir = dir, vod
	n, err := Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	n.owned = dir
	return n, nil
}

// write puts the title's FLV at dst.
func (t Title) write(dst string) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if t.File == "" {
		err = t.Spec.WriteFLV(out)
	} else {
		err = copyInto(out, t.File)
	}
	return errors.Join(err, out.Close())
}

func copyInto(out io.Writer, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	_, err = io.Copy(out, in)
	return err
}
